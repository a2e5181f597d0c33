using System.Runtime.CompilerServices;

// The codec tests exercise the raw block formats and hashes directly.
[assembly: InternalsVisibleTo("Eddy.Protocol.Tests")]
