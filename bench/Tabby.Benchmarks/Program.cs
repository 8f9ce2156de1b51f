using BenchmarkDotNet.Running;

namespace Tabby.Benchmarks;

/// <summary>
/// Runs the micro-benchmarks chosen on the command line (BenchmarkDotNet's --filter), or one of the
/// load scenarios that need their own harness (first argument names it).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "ipam-load")
        {
            return await Ipam.IpamLoad.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "bgp-inject")
        {
            return await BgpSpeaker.BgpIngest.InjectAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "bgp-monitor")
        {
            return await BgpSpeaker.BgpIngest.MonitorAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "policy-apply")
        {
            return await Policy.PolicyApply.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
