using BenchmarkDotNet.Running;

namespace Tabby.Benchmarks;

/// <summary>Runs the benchmarks chosen on the command line (BenchmarkDotNet's --filter).</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
