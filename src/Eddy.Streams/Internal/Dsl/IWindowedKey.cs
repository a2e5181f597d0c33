namespace Eddy.Streams.Internal.Dsl;

/// <summary>A windowed key of any key type (suppression reads window ends without knowing the key type).</summary>
internal interface IWindowedKey
{
    Streams.Dsl.Window Window { get; }
}
