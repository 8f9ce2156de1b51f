using Tabby.Bgp.Wire;

namespace Tabby.Bgp.Transport;

/// <summary>Messages in and out by type, per peer (thread-safe counters).</summary>
public sealed class MessageCounters
{
    private readonly long[] _in = new long[6];
    private readonly long[] _out = new long[6];

    public void CountIn(MessageType type, long n = 1) => Interlocked.Add(ref _in[Index(type)], n);

    public void CountOut(MessageType type, long n = 1) => Interlocked.Add(ref _out[Index(type)], n);

    public long In(MessageType type) => Interlocked.Read(ref _in[Index(type)]);

    public long Out(MessageType type) => Interlocked.Read(ref _out[Index(type)]);

    public IReadOnlyDictionary<string, long> InByType() => Snapshot(_in);

    public IReadOnlyDictionary<string, long> OutByType() => Snapshot(_out);

    private static Dictionary<string, long> Snapshot(long[] counts)
    {
        var d = new Dictionary<string, long>();
        foreach (var t in Enum.GetValues<MessageType>()) d[t.ToString().ToLowerInvariant()] = Interlocked.Read(ref counts[(int)t]);
        return d;
    }

    private static int Index(MessageType type) => (int)type is >= 1 and <= 5 ? (int)type : 0;
}
