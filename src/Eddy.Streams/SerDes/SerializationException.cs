namespace Eddy.Streams.SerDes;

/// <summary>A serializer or deserializer could not convert a value.</summary>
/// <example><code>throw new SerializationException("Size of data received by Int32Deserializer is not 4");</code></example>
public sealed class SerializationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SerializationException() { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SerializationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SerializationException(string message, Exception innerException) : base(message, innerException) { }
}
