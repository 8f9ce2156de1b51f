using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Nftables;

namespace Tabby.Benchmarks.Policy;

/// <summary>
/// Compile and apply N policies over E endpoints in a private network namespace, then measure
/// incremental updates; the equivalent ipset + iptables-restore ruleset is applied in a second
/// namespace in the same run. Prints one Markdown table, then "RESULT {json}" lines (Tabby = nft
/// vs iptables-legacy-restore / iptables-nft-restore) for bench.sh's summary. Needs root.
/// Usage: policy-apply [--policies N] [--endpoints E] [--updates K] [--out DIR [--render-only]] [--no-iptables] [--ipv4-only]
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

        var results = new List<string>();
        void Result(string tool, string metric, TimeSpan value, string kind) => results.Add(string.Create(CultureInfo.InvariantCulture,
            $"RESULT {{\"scenario\": \"policy\", \"case\": \"{policies} policies, {endpoints} endpoints\", \"tool\": \"{tool}\", \"metric\": \"{metric}\", \"value\": {value.TotalMilliseconds:F1}, \"unit\": \"ms\", \"kind\": \"{kind}\"}}"));

        // An iptables run, reported and recorded as a RESULT pair named like Tabby's so the summary sets them side by side.
        string TimedResult(Action action, string tool, string what)
        {
            var (wall, cpu) = Timed(action);
            Result(tool, what + " wall", wall, "time");
            Result(tool, what + " CPU of the restore tool", cpu, "cpu");
            return $"{Ms(wall)} wall; CPU {Ms(cpu)}";
        }

        string TimedText(Action action)
        {
            var (wall, cpu) = Timed(action);
            return $"{Ms(wall)} wall; CPU {Ms(cpu)}";
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
            var heapAfterCompile = GC.GetTotalMemory(forceFullCollection: true);

            var options = new NftablesPolicyOptions { IpVersions = args.Contains("--ipv4-only") ? [4] : [4, 6] };
            Report("IP versions rendered", string.Join(" and ", options.IpVersions.Select(v => $"IPv{v}")));
            var dataplane = new NftablesPolicyDataplane(calculator, new NftProcessRunner(nsName), options);
            wall.Restart();
            var (size, renderedScript) = DescribeScript(dataplane, outDir.Length > 0);
            Report("render full nft script", Ms(wall.Elapsed));
            Report("nft script size", size);
            if (outDir.Length > 0)
            {
                Directory.CreateDirectory(outDir);
                await File.WriteAllTextAsync(Path.Combine(outDir, "policy.nft"), renderedScript);
                if (args.Contains("--render-only"))
                {
                    return 0;
                }
            }

            // Full apply as the agent does it (over netlink: the kernel's work is in the agent's CPU).
            cpu0 = process.TotalProcessorTime;
            var child0 = ChildCpu.Total();
            var full = await dataplane.ApplyFullAsync();
            Report($"full apply{(full.ViaNetlink ? " over netlink" : " nft")} (render + apply, empty table)", $"{Ms(full.TotalTime)} wall; CPU: agent {Ms(process.TotalProcessorTime - cpu0)}, nft {Ms(ChildCpu.Total() - child0)}");
            Result("tabby", "full apply wall", full.TotalTime, "time");
            Result("tabby", "full apply CPU of the restore tool", process.TotalProcessorTime - cpu0 + ChildCpu.Total() - child0, "cpu");
            cpu0 = process.TotalProcessorTime;
            child0 = ChildCpu.Total();
            var again = await dataplane.ApplyFullAsync();
            Report($"full apply{(again.ViaNetlink ? " over netlink" : " nft")} (replace existing table)", $"{Ms(again.TotalTime)} wall; CPU: agent {Ms(process.TotalProcessorTime - cpu0)}, nft {Ms(ChildCpu.Total() - child0)}");

            Report("full apply through nft -f (replace existing table)", await ApplyThroughNftAsync(calculator, nsName, options));
            await dataplane.ApplyFullAsync(); // back to the dataplane under test
            wall.Restart();
            child0 = ChildCpu.Total();
            var drift = await dataplane.ResyncAsync();
            Report("resync (nft -j list + compare)", $"{Ms(wall.Elapsed)} wall; nft CPU {Ms(ChildCpu.Total() - child0)}; drift {drift.Count}");

            // Incremental updates, each one event then one apply.
            var random = new Random(42);
            var label = new List<(ApplyStatistics, TimeSpan, TimeSpan)>();
            var policy = new List<(ApplyStatistics, TimeSpan, TimeSpan)>();
            var add = new List<(ApplyStatistics, TimeSpan, TimeSpan)>();
            var remove = new List<(ApplyStatistics, TimeSpan, TimeSpan)>();
            async Task<(ApplyStatistics, TimeSpan, TimeSpan)> Measure()
            {
                // Over netlink the kernel's work runs in the agent's thread: agent (process) CPU includes it.
                var before = ChildCpu.Total();
                var agentBefore = ChildCpu.Self();
                var stats = await dataplane.ApplyAsync();
                return (stats, ChildCpu.Total() - before, ChildCpu.Self() - agentBefore);
            }

            for (var u = 0; u < updates; u++)
            {
                var j = random.Next(endpoints);
                calculator.UpsertEndpoint(PolicyWorkload.Endpoint(j, $"app-{random.Next(PolicyWorkload.Apps)}"));
                label.Add(await Measure());

                var i = random.Next(policies);
                PolicyWorkload.Apply(calculator, PolicyWorkload.Policy(i, u + 1));
                policy.Add(await Measure());

                calculator.UpsertEndpoint(PolicyWorkload.Endpoint(endpoints + u));
                add.Add(await Measure());
                calculator.RemoveEndpoint($"ns-{(endpoints + u) % PolicyWorkload.Namespaces}/pod-{endpoints + u}");
                remove.Add(await Measure());
            }

            Report("incremental: pod label change", Summary(label));
            Report("incremental: policy update", Summary(policy));
            // Tabby's one update: the median policy update (iptables: one --noflush restore of one chain).
            Result("tabby", "one update wall", Median(policy.Select(r => r.Item1.TotalTime)), "time");
            Result("tabby", "one update CPU of the restore tool", Median(policy.Select(r => r.Item2 + r.Item3)), "cpu"); // nft (if used) + the agent's netlink work
            Report("incremental: pod add", Summary(add));
            Report("incremental: pod remove", Summary(remove));
            Report("resync after updates", $"drift {(await dataplane.ResyncAsync()).Count}");

            GC.Collect();
            process.Refresh();
            var heap = GC.GetTotalMemory(false);
            Report("agent memory", $"RSS {process.WorkingSet64 / 1048576.0:F0} MiB, peak {process.PeakWorkingSet64 / 1048576.0:F0} MiB, managed heap {heap / 1048576.0:F0} MiB (calculator and workload {heapAfterCompile / 1048576.0:F0} MiB, dataplane state {(heap - heapAfterCompile) / 1048576.0:F0} MiB)");
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

                Report("ipset restore", TimedText(() => Run("ip", ["netns", "exec", ipNs, "ipset", "restore"], ipsets)));
                Report("iptables-legacy-restore (full)", TimedResult(() => Run("ip", ["netns", "exec", ipNs, "iptables-legacy-restore"], tables), "iptables-legacy-restore", "full apply"));
                Report("iptables-legacy-restore (full, replace)", TimedText(() => Run("ip", ["netns", "exec", ipNs, "iptables-legacy-restore"], tables)));
                var oneChain = OneChainUpdate(tables);
                Report("iptables-legacy-restore --noflush (one chain)", TimedResult(() => Run("ip", ["netns", "exec", ipNs, "iptables-legacy-restore", "--noflush"], oneChain), "iptables-legacy-restore", "one update"));
                Run("ip", "netns", "del", ipNs);
                Run("ip", "netns", "add", ipNs);
                Run("ip", ["netns", "exec", ipNs, "ipset", "restore"], ipsets);
                Report("iptables-nft-restore (full)", TimedResult(() => Run("ip", ["netns", "exec", ipNs, "iptables-nft-restore"], tables), "iptables-nft-restore", "full apply"));
                Report("iptables-nft-restore --noflush (one chain)", TimedResult(() => Run("ip", ["netns", "exec", ipNs, "iptables-nft-restore", "--noflush"], oneChain), "iptables-nft-restore", "one update"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {policies:N0} policies, {endpoints:N0} endpoints | value |"));
            Console.WriteLine("|---|---|");
            foreach (var (metric, value) in report)
            {
                Console.WriteLine($"| {metric} | {value} |");
            }

            foreach (var line in results)
            {
                Console.WriteLine(line);
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

    /// <summary>Size of the full script (kept only when it is written out, so it does not count in the agent's memory).</summary>
    private static (string Size, string? Script) DescribeScript(NftablesPolicyDataplane dataplane, bool keep)
    {
        var script = dataplane.RenderFullScript();
        var lines = script.Count(c => c == '\n');
        var size = $"{script.Length / 1024.0 / 1024.0:F1} MiB, {lines:N0} commands, {script.Split('\n').Count(l => l.StartsWith("add rule", StringComparison.Ordinal)):N0} rules";
        return (size, keep ? script : null);
    }

    /// <summary>The same full apply through <c>nft -f</c>, for comparison, with a second dataplane
    /// over the same calculator (in its own method so its state is garbage before memory is measured).</summary>
    private static async Task<string> ApplyThroughNftAsync(PolicyCalculator calculator, string nsName, NftablesPolicyOptions options)
    {
        var process = Process.GetCurrentProcess();
        var viaNft = new NftablesPolicyDataplane(calculator, new NftProcessRunner(nsName), options with { ApplyViaNetlink = false });
        var cpu0 = process.TotalProcessorTime;
        var child0 = ChildCpu.Total();
        var full = await viaNft.ApplyFullAsync();
        process.Refresh();
        return $"{Ms(full.TotalTime)} wall; CPU: agent {Ms(process.TotalProcessorTime - cpu0)}, nft {Ms(ChildCpu.Total() - child0)}";
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

    private static string Summary(List<(ApplyStatistics Stats, TimeSpan NftCpu, TimeSpan AgentCpu)> runs)
    {
        static double P(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
        var wall = runs.Select(r => r.Stats.TotalTime.TotalMilliseconds).Order().ToList();
        var cpu = runs.Select(r => r.NftCpu.TotalMilliseconds).Order().ToList();
        var render = runs.Select(r => r.Stats.RenderTime.TotalMilliseconds).Order().ToList();
        var agent = runs.Select(r => r.AgentCpu.TotalMilliseconds).Order().ToList();
        var total = runs.Select(r => r.AgentCpu.TotalMilliseconds + r.NftCpu.TotalMilliseconds).Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"wall median {P(wall, 0.5):F1} ms, p95 {P(wall, 0.95):F1} ms; CPU (agent process incl. kernel + nft) median {P(total, 0.5):F1} ms, p95 {P(total, 0.95):F1} ms; agent median {P(agent, 0.5):F1} ms; nft CPU median {P(cpu, 0.5):F1} ms, p95 {P(cpu, 0.95):F1} ms; via netlink {runs.Count(r => r.Stats.ViaNetlink)}/{runs.Count}; render median {P(render, 0.5):F2} ms; per update {runs.Average(r => r.Stats.ChangedChains):F1} chains, {runs.Average(r => r.Stats.ChangedSets):F1} sets, {runs.Average(r => r.Stats.ScriptBytes):F0} bytes");
    }

    private static (TimeSpan Wall, TimeSpan Cpu) Timed(Action action)
    {
        var child = ChildCpu.Total();
        var sw = Stopwatch.StartNew();
        action();
        return (sw.Elapsed, ChildCpu.Total() - child);
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? TimeSpan.Zero : sorted[(sorted.Count - 1) / 2];
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
