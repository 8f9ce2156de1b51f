using System.Globalization;
using System.Text;
using Tabby.Bgp.Speaker;

namespace Tabby.Ctl.BgpServe;

/// <summary>Plain-text tables for `bgp status` and `bgp routes`.</summary>
internal static class BgpStatusTables
{
    public static string Peers(SpeakerStatus status, bool wide, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"BGP speaker AS {status.LocalAs}, router id {status.RouterId}: {status.Prefixes} prefixes, {status.Paths} paths, {status.AttributeSets} attribute sets, {status.RejectedConnections} connections refused\n");
        var header = new List<string> { "NAME", "ADDRESS", "AS", "TYPE", "STATE", "SINCE", "RECEIVED", "ACCEPTED", "ADVERTISED", "INFO" };
        if (wide) header.InsertRange(9, ["FLAPS", "UPDATES IN/OUT", "LAST ERROR"]);
        var rows = new List<List<string>> { header };
        foreach (var p in status.Peers)
        {
            var row = new List<string>
            {
                p.Name, p.Address, p.RemoteAs.ToString(CultureInfo.InvariantCulture), p.Type, p.State.ToString(), Age(now - p.Since),
                p.PrefixesReceived.ToString(CultureInfo.InvariantCulture), p.PrefixesAccepted.ToString(CultureInfo.InvariantCulture),
                p.PrefixesAdvertised.ToString(CultureInfo.InvariantCulture),
                p.State == Tabby.Bgp.Fsm.SessionState.Established ? (p.StalePrefixes > 0 ? $"{p.StalePrefixes} stale" : "") : p.LastError ?? p.LastReason ?? "",
            };
            if (wide)
            {
                row.InsertRange(9,
                [
                    p.FlapCount.ToString(CultureInfo.InvariantCulture),
                    $"{p.MessagesIn.GetValueOrDefault("update")}/{p.MessagesOut.GetValueOrDefault("update")}",
                    p.LastError ?? "",
                ]);
            }

            rows.Add(row);
        }

        Render(sb, rows);
        return sb.ToString();
    }

    public static string Routes(IReadOnlyList<RouteStatus> routes, bool wide)
    {
        var sb = new StringBuilder();
        var header = new List<string> { "PREFIX", "", "NEXT HOP", "FROM", "AS PATH", "LOCAL PREF", "MED", "REASON" };
        if (wide) header.AddRange(["COMMUNITIES", "LARGE COMMUNITIES"]);
        var rows = new List<List<string>> { header };
        foreach (var r in routes)
        {
            bool first = true;
            foreach (var p in r.Paths)
            {
                string flags = (p.Best ? "*" : " ") + (p.Multipath ? "=" : " ") + (p.Stale ? "S" : " ") + (p.Accepted ? " " : "R");
                var row = new List<string>
                {
                    first ? r.Prefix : "", flags, p.NextHop ?? "", p.From, p.AsPath, p.LocalPreference?.ToString(CultureInfo.InvariantCulture) ?? "",
                    p.Med?.ToString(CultureInfo.InvariantCulture) ?? "", first ? r.Reason : "",
                };
                if (wide) row.AddRange([string.Join(' ', p.Communities), string.Join(' ', p.LargeCommunities)]);
                rows.Add(row);
                first = false;
            }
        }

        Render(sb, rows);
        sb.Append("flags: * best, = multipath (ECMP), S stale (graceful restart), R rejected by import policy\n");
        return sb.ToString();
    }

    private static void Render(StringBuilder sb, List<List<string>> rows)
    {
        int columns = rows[0].Count;
        var widths = new int[columns];
        foreach (var row in rows)
            for (int i = 0; i < columns; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        foreach (var row in rows)
        {
            for (int i = 0; i < columns; i++)
            {
                sb.Append(i == columns - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            sb.Append('\n');
        }
    }

    private static string Age(TimeSpan t) =>
        t.TotalDays >= 1 ? $"{(int)t.TotalDays}d{t.Hours}h" : t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes}m" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds}s" : $"{Math.Max(0, (int)t.TotalSeconds)}s";
}
