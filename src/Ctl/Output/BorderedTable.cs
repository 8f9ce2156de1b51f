using System.Text;

namespace Tabby.Ctl.Output;

/// <summary>
/// The boxed table calicoctl prints for <c>node status</c> and <c>ipam show</c>: headers centred,
/// cells left-aligned, one space of padding, <c>+---+</c> borders.
/// </summary>
internal static class BorderedTable
{
    public static string Render(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], i < row.Count ? row[i].Length : 0);
            }
        }

        var text = new StringBuilder();
        var border = "+" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "+\n";
        text.Append(border);
        text.Append('|');
        for (var i = 0; i < headers.Count; i++)
        {
            var padding = widths[i] - headers[i].Length;
            text.Append(' ').Append(new string(' ', padding / 2)).Append(headers[i]).Append(new string(' ', padding - (padding / 2))).Append(" |");
        }

        text.Append('\n').Append(border);
        foreach (var row in rows)
        {
            text.Append('|');
            for (var i = 0; i < headers.Count; i++)
            {
                var cell = i < row.Count ? row[i] : "";
                text.Append(' ').Append(cell.PadRight(widths[i])).Append(" |");
            }

            text.Append('\n');
        }

        text.Append(border);
        return text.ToString();
    }
}
