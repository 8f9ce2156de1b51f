using System.Text;
using Tabby.Felix.Policy.Evaluation;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Tests.Policy.Dataplane;

/// <summary>One probe: who talks to whom on which protocol and port.</summary>
public sealed record ProbeCell(string From, string To, Protocol Protocol, int Port, bool V6 = false)
{
    public override string ToString() => $"{From} -> {To} {Protocol}/{Port}{(V6 ? " IPv6" : "")}";
}

/// <summary>
/// Probes every pair of lab hosts (TCP on each listening port, UDP echo) in parallel and compares
/// the kernel's answer with the evaluator's verdict. A cell the evaluator allows gets a generous
/// timeout (a slow allow is still an allow); a cell it denies gets a short one.
/// </summary>
public static class ConnectivityMatrix
{
    private static readonly TimeSpan AllowTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DenyTimeout = TimeSpan.FromMilliseconds(500);

    public static IEnumerable<ProbeCell> Cells()
    {
        foreach (var from in PolicyLab.PodSpecs.Select(p => p.Key).Concat(PolicyLab.ExternalSpecs.Select(e => e.Key)))
        {
            foreach (var to in PolicyLab.PodSpecs.Select(p => p.Key).Concat(PolicyLab.ExternalSpecs.Select(e => e.Key)))
            {
                var bothExternal = from.StartsWith("ext", StringComparison.Ordinal) && to.StartsWith("ext", StringComparison.Ordinal);
                if (from == to || bothExternal)
                {
                    continue;
                }

                foreach (var port in PolicyLab.TcpPorts)
                {
                    yield return new ProbeCell(from, to, Protocol.Tcp, port);
                }

                yield return new ProbeCell(from, to, Protocol.Udp, PolicyLab.UdpPort);
                if (!from.StartsWith("ext", StringComparison.Ordinal) && !to.StartsWith("ext", StringComparison.Ordinal))
                {
                    yield return new ProbeCell(from, to, Protocol.Tcp, PolicyLab.TcpPort6, V6: true);
                    yield return new ProbeCell(from, to, Protocol.Icmp, 0); // echo request, type 8 code 0
                }
            }
        }
    }

    /// <summary>Runs the matrix; returns (cells the evaluator allowed, cells it denied, disagreements as text).</summary>
    public static async Task<(int Allowed, int Denied, List<string> Mismatches)> RunAsync(PolicyLab lab, Func<ProbeCell, Verdict> evaluate)
    {
        lab.FlushConntrack();
        var cells = Cells().ToList();
        var verdicts = cells.Select(evaluate).ToList();
        var results = await Task.WhenAll(cells.Select((cell, i) => ProbeAsync(lab, cell, verdicts[i].Allowed ? AllowTimeout : DenyTimeout)));
        var mismatches = new List<string>();
        for (var i = 0; i < cells.Count; i++)
        {
            if (results[i] != verdicts[i].Allowed)
            {
                var text = new StringBuilder()
                    .Append(cells[i]).Append(": kernel ").Append(results[i] ? "allowed" : "dropped")
                    .Append(", evaluator ").Append(verdicts[i]);
                mismatches.Add(text.ToString());
            }
        }

        return (verdicts.Count(v => v.Allowed), verdicts.Count(v => !v.Allowed), mismatches);
    }

    /// <summary>One echo request with the ping binary, awaited without blocking a pool thread
    /// (many blocked threads would starve the socket probes running at the same time).</summary>
    private static async Task<bool> PingAsync(PolicyLab lab, ProbeCell cell, TimeSpan timeout)
    {
        var seconds = Math.Max(1, (int)Math.Round(timeout.TotalSeconds)); // ping's -W is whole seconds
        var result = await lab.Hosts[cell.From].Namespace.RunAsync("ping",
            ["-n", "-q", "-c", "1", "-W", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), lab.AddressOf(cell.To, false).ToString()],
            timeout + TimeSpan.FromSeconds(5));
        return result.Succeeded;
    }

    public static Task<bool> ProbeAsync(PolicyLab lab, ProbeCell cell, TimeSpan timeout)
    {
        if (cell.Protocol == Protocol.Icmp)
        {
            return PingAsync(lab, cell, timeout);
        }

        return cell.Protocol == Protocol.Tcp
            ? lab.TcpConnectAsync(cell.From, cell.To, cell.Port, timeout, cell.V6)
            : lab.UdpEchoAsync(cell.From, cell.To, cell.Port, timeout);
    }
}
