using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Nftables;

namespace Tabby.Benchmarks.Policy;

/// <summary>
/// Compile and apply N policies over E endpoints in a private network namespace, then measure
/// incremental updates; the equivalent ipset + iptables-restore ruleset is applied in a second
/// namespace in the same run. Prints one Markdown table. Needs root.
/// Usage: policy-apply [--policies N] [--endpoints E] [--updates K] [--out DIR] [--no-iptables]
/// </summary>
public static class PolicyApply
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var policies = int.Parse(Arg("--policies", "10000"), CultureInfo.InvariantCulture);
        var endpoints = int.Parse(Arg("--endpoints", "1000"), CultureInfo.InvariantCulture);
        var updates = int.Parse(Arg("--updates", "20"), CultureInfo.InvariantCulture);
        var outDir = Arg("--out", "");
        var iptables = !args.Contains("--no-iptables");
        var nsName = $"tabby-bench-policy-{Environment.ProcessId}";
        var ipNs = nsName + "-ipt";
        var report = new List<(string Metric, string Value)>();
        void Report(string metric, string value)
        {
            report.Add((metric, value));
            Console.Error.WriteLine($"{metric}: {value}");
        }

        Run("ip", "netns", "add", nsName);
        if (iptables)
        {
            Run("ip", "netns", "add", ipNs);
        }

        try
        {
            var json = PolicyWorkload.PolicyJson(policies);
            var process = Process.GetCurrentProcess();

            // Compile: deserialize + convert + calculate, as the agent does for a full sync.
            var cpu0 = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var calculator = new PolicyCalculator();
            PolicyWorkload.AddNamespaces(calculator);
            for (var j = 0; j < endpoints; j++)
            {
                calculator.UpsertEndpoint(PolicyWorkload.Endpoint(j));
            }

            foreach (var item in json)
            {
                PolicyWorkload.Apply(calculator, item);
            }

            Report("compile (parse, convert, calculate)", Ms(wall.Elapsed) + $" wall, {Ms(process.TotalProcessorTime - cpu0)} CPU");

            var dataplane = new NftablesPolicyDataplane(calculator, new NftProcessRunner(nsName));
            wall.Restart();
            var script = dataplane.RenderFullScript();
            Report("render full nft script", Ms(wall.Elapsed));
            var lines = script.Count(c => c == '\n');
            Report("nft script size", $"{script.Length / 1024.0 / 1024.0:F1} MiB, {lines:N0} commands, {script.Split('\n').Count(l => l.StartsWith("add rule", StringComparison.Ordinal)):N0} rules");
            if (outDir.Length > 0)
            {
                Directory.CreateDirectory(outDir);
                await File.WriteAllTextAsync(Path.Combine(outDir, "policy.nft"), script);
            }

            cpu0 = process.TotalProcessorTime;
            var full = await dataplane.ApplyFullAsync();
            Report("full apply nft (render + nft -f, empty table)", $"{Ms(full.TotalTime)} (agent CPU {Ms(process.TotalProcessorTime - cpu0)})");
            var again = await dataplane.ApplyFullAsync();
            Report("full apply nft (replace existing table)", Ms(again.TotalTime));
            wall.Restart();
            var drift = await dataplane.ResyncAsync();
            Report("resync (nft -j list + compare)", $"{Ms(wall.Elapsed)}, drift {drift.Count}");

            // Incremental updates, each one event then one apply.
            var random = new Random(42);
            var label = new List<ApplyStatistics>();
            var policy = new List<ApplyStatistics>();
            var add = new List<ApplyStatistics>();
            var remove = new List<ApplyStatistics>();
            for (var u = 0; u < updates; u++)
            {
                var j = random.Next(endpoints);
                calculator.UpsertEndpoint(PolicyWorkload.Endpoint(j, $"app-{random.Next(PolicyWorkload.Apps)}"));
                label.Add(await dataplane.ApplyAsync());

                var i = random.Next(policies);
                PolicyWorkload.Apply(calculator, PolicyWorkload.Policy(i, u + 1));
                policy.Add(await dataplane.ApplyAsync());

                calculator.UpsertEndpoint(PolicyWorkload.Endpoint(endpoints + u));
                add.Add(await dataplane.ApplyAsync());
                calculator.RemoveEndpoint($"ns-{(endpoints + u) % PolicyWorkload.Namespaces}/pod-{endpoints + u}");
                remove.Add(await dataplane.ApplyAsync());
            }

            Report("incremental: pod label change", Summary(label));
            Report("incremental: policy update", Summary(policy));
            Report("incremental: pod add", Summary(add));
            Report("incremental: pod remove", Summary(remove));
            Report("resync after updates", $"drift {(await dataplane.ResyncAsync()).Count}");

            GC.Collect();
            process.Refresh();
            Report("agent memory", $"RSS {process.WorkingSet64 / 1048576.0:F0} MiB, peak {process.PeakWorkingSet64 / 1048576.0:F0} MiB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MiB");
            Report("agent CPU total", Ms(process.TotalProcessorTime));

            if (iptables)
            {
                var (ipsets, tables, rules) = IptablesEquivalent.Render(calculator);
                Report("iptables equivalent size", $"{tables.Length / 1024.0 / 1024.0:F1} MiB, {rules:N0} rules, {ipsets.Count(c => c == '\n'):N0} ipset lines");
                if (outDir.Length > 0)
                {
                    await File.WriteAllTextAsync(Path.Combine(outDir, "policy.ipset"), ipsets);
                    await File.WriteAllTextAsync(Path.Combine(outDir, "policy.iptables"), tables);
                }

                Report("ipset restore", Ms(Timed(() => Run("ip", ["netns", "exec", ipNs, "ipset", "restore"], ipsets))));
                Report("iptables-legacy-restore (full)", Ms(Timed(() => Run("ip", ["netns", "exec", ipNs, "iptables-legacy-restore"], tables))));
                Report("iptables-legacy-restore (full, replace)", Ms(Timed(() => Run("ip", ["netns", "exec", ipNs, "iptables-legacy-restore"], tables))));
                var oneChain = OneChainUpdate(tables);
                Report("iptables-legacy-restore --noflush (one chain)", Ms(Timed(() => Run("ip", ["netns", "exec", ipNs, "iptables-legacy-restore", "--noflush"], oneChain))));
                Run("ip", "netns", "del", ipNs);
                Run("ip", "netns", "add", ipNs);
                Run("ip", ["netns", "exec", ipNs, "ipset", "restore"], ipsets);
                Report("iptables-nft-restore (full)", Ms(Timed(() => Run("ip", ["netns", "exec", ipNs, "iptables-nft-restore"], tables))));
                Report("iptables-nft-restore --noflush (one chain)", Ms(Timed(() => Run("ip", ["netns", "exec", ipNs, "iptables-nft-restore", "--noflush"], oneChain))));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {policies:N0} policies, {endpoints:N0} endpoints | value |"));
            Console.WriteLine("|---|---|");
            foreach (var (metric, value) in report)
            {
                Console.WriteLine($"| {metric} | {value} |");
            }

            return 0;
        }
        finally
        {
            Run("ip", "netns", "del", nsName);
            if (iptables)
            {
                Run("ip", "netns", "del", ipNs);
            }
        }
    }

    /// <summary>The first endpoint chain of the iptables ruleset rewritten on its own, as Calico's incremental restore does.</summary>
    private static string OneChainUpdate(string tables)
    {
        var chain = tables.Split('\n').First(l => l.StartsWith(":tw-", StringComparison.Ordinal))[1..].Split(' ')[0];
        var text = new StringBuilder("*filter\n").Append(':').Append(chain).Append(" - [0:0]\n");
        foreach (var line in tables.Split('\n').Where(l => l.StartsWith($"-A {chain} ", StringComparison.Ordinal)))
        {
            text.Append(line).Append('\n');
        }

        return text.Append("COMMIT\n").ToString();
    }

    private static string Summary(List<ApplyStatistics> stats)
    {
        var times = stats.Select(s => s.TotalTime.TotalMilliseconds).Order().ToList();
        double P(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
        return string.Create(CultureInfo.InvariantCulture,
            $"median {P(0.5):F1} ms, p95 {P(0.95):F1} ms, max {times[^1]:F1} ms (render median {stats.Select(s => s.RenderTime.TotalMilliseconds).Order().ElementAt(stats.Count / 2):F2} ms; {stats.Average(s => s.ChangedChains):F1} chains, {stats.Average(s => s.ChangedSets):F1} sets, {stats.Average(s => s.ScriptBytes):F0} bytes per update)");
    }

    private static TimeSpan Timed(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed;
    }

    private static string Ms(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:F0} ms");

    private static void Run(string file, params string[] arguments) => Run(file, arguments, null);

    private static void Run(string file, string[] arguments, string? stdin)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardInput = stdin is not null, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {error.Result}");
        }
    }
}
