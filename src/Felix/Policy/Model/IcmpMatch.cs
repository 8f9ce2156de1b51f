namespace Tabby.Felix.Policy.Model;

/// <summary>ICMP type and optional code (Calico <c>icmp: {type, code}</c>).</summary>
public sealed record IcmpMatch(byte Type, byte? Code)
{
    public bool Matches(int type, int code) => type == Type && (Code is null || code == Code);

    public override string ToString() => Code is null ? $"type {Type}" : $"type {Type} code {Code}";
}
