namespace Tabby.Datastore.Embedded;

/// <summary>
/// Reading and writing the append-only change log (<c>changes.log</c>): a header line, then one
/// JSON line per change in revision order. Only complete lines (ending in '\n') count: a writer
/// killed mid-append leaves a partial last line that readers ignore and the next writer truncates.
/// Compaction rewrites the file (new epoch) atomically, keeping the newest entries.
/// </summary>
internal static class ChangeLogFile
{
    public const string FileName = "changes.log";

    /// <summary>Opens the log for reading while writers append and compaction renames.</summary>
    public static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);

    public static FileStream OpenWrite(string path) =>
        new(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1 << 16);

    /// <summary>Creates an empty log (header only) when none exists. Caller holds the store lock.</summary>
    public static void EnsureExists(string path)
    {
        if (!File.Exists(path))
        {
            AtomicFile.Write(path, new ChangeLogHeader(Guid.NewGuid().ToString("N"), 0).ToLine());
        }
    }

    /// <summary>Reads the header; returns the offset just after it.</summary>
    public static (ChangeLogHeader Header, long Offset) ReadHeader(FileStream stream)
    {
        stream.Position = 0;
        var buffer = new byte[512];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                break;
            }

            read += n;
            var newline = Array.IndexOf(buffer, (byte)'\n', 0, read);
            if (newline >= 0)
            {
                return (ChangeLogHeader.Parse(buffer.AsSpan(0, newline)), newline + 1);
            }
        }

        throw new InvalidDataException("change log header missing or torn");
    }

    /// <summary>
    /// Reads complete entries from <paramref name="offset"/> to the end of the file. Returns the
    /// offset after the last complete line (a partial tail is left for later).
    /// </summary>
    public static long ReadEntries(FileStream stream, long offset, Action<ChangeLogEntry> onEntry)
    {
        var length = stream.Length;
        if (length <= offset)
        {
            return offset;
        }

        stream.Position = offset;
        var data = new byte[length - offset];
        var total = 0;
        while (total < data.Length)
        {
            var n = stream.Read(data, total, data.Length - total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        var span = data.AsSpan(0, total);
        var consumed = 0;
        while (true)
        {
            var newline = span[consumed..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            var line = span.Slice(consumed, newline);
            if (!line.IsEmpty)
            {
                onEntry(ChangeLogEntry.Parse(line));
            }

            consumed += newline + 1;
        }

        return offset + consumed;
    }
}
