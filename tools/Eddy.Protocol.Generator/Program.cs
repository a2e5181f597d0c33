namespace Eddy.Protocol.Generator;

public static class Program
{
    public static int Main() => 0;
}
