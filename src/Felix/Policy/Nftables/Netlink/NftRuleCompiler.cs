using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Tabby.Felix.Netlink.Wire;
using static Tabby.Felix.Policy.Nftables.Netlink.NfTablesWire;

namespace Tabby.Felix.Policy.Nftables.Netlink;

/// <summary>
/// Compiles one rule body as <see cref="RuleRenderer"/> and <see cref="ChainRenderer"/> write it
/// for non-base chains into nf_tables expressions, the way nft itself encodes them (checked by
/// listing both in the tests): matches left to right, the implicit dependencies nft adds
/// (<c>meta nfproto</c> before an IPv4/IPv6 header field, <c>meta l4proto</c> before an ICMP
/// field), and the comment as rule userdata. The grammar is exactly what Tabby renders; any other
/// word throws <see cref="NotSupportedException"/>, and the caller then applies through nft.
/// </summary>
internal static class NftRuleCompiler
{
    public static void Compile(MessageWriter writer, string rule)
    {
        try
        {
            CompileTokens(writer, rule);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new NotSupportedException($"rule not encodable over netlink: {rule}", e);
        }
    }

    private static void CompileTokens(MessageWriter writer, string rule)
    {
        var tokens = Tokenize(rule);
        var state = new State();
        string? comment = null;
        var expressions = writer.BeginNested(RuleExpressions);
        var i = 0;
        string Next() => i < tokens.Count ? tokens[i++] : throw new NotSupportedException($"rule ends early: {rule}");
        string Peek() => i < tokens.Count ? tokens[i] : "";

        while (i < tokens.Count)
        {
            var word = Next();
            switch (word)
            {
                case "meta":
                    Meta(writer, state, Next(), Next, Peek);
                    break;
                case "ip" or "ip6":
                    Address(writer, state, word == "ip" ? 4 : 6, Next(), Next, Peek);
                    break;
                case "th":
                    {
                        var offset = PortOffset(Next());
                        var negate = Peek() == "!=";
                        if (negate)
                        {
                            Next();
                        }

                        Port(writer, offset, negate, Next());
                        break;
                    }

                case "icmp" or "icmpv6":
                    {
                        var l4 = word == "icmp" ? (byte)1 : (byte)58;
                        if (state.L4Proto != l4)
                        {
                            if (l4 == 58 && state.NfProto != 10)
                            {
                                MatchByte(writer, MetaNfproto, 10, negate: false);
                                state.NfProto = 10;
                            }

                            MatchByte(writer, MetaL4proto, l4, negate: false);
                            state.L4Proto = l4;
                        }

                        var field = Next();
                        var offset = field == "type" ? 0u : field == "code" ? 1u : throw new NotSupportedException($"{word} {field}");
                        var negate = Peek() == "!=";
                        if (negate)
                        {
                            Next();
                        }

                        Payload(writer, BaseTransport, offset, 1, Reg1);
                        Cmp(writer, Reg1, negate ? CmpNeq : CmpEq, [byte.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture)]);
                        break;
                    }

                case "ct":
                    {
                        if (Next() != "state")
                        {
                            throw new NotSupportedException("ct other than state");
                        }

                        uint mask = 0;
                        foreach (var ctState in Next().Split(','))
                        {
                            // NF_CT_STATE_INVALID_BIT and NF_CT_STATE_BIT(IP_CT_ESTABLISHED / RELATED / NEW), NF_CT_STATE_UNTRACKED_BIT.
                            mask |= ctState switch
                            {
                                "invalid" => 1u,
                                "established" => 2u,
                                "related" => 4u,
                                "new" => 8u,
                                "untracked" => 64u,
                                _ => throw new NotSupportedException($"ct state {ctState}"),
                            };
                        }

                        var element = BeginExpression(writer, "ct");
                        WriteU32(writer, CtDreg, Reg1);
                        WriteU32(writer, CtKey, CtState);
                        EndExpression(writer, element);
                        Bitwise(writer, Reg1, mask, 0);
                        Cmp(writer, Reg1, CmpNeq, [0, 0, 0, 0]);
                        break;
                    }

                case "iifname" or "oifname":
                    Interface(writer, word == "iifname" ? MetaIifname : MetaOifname, Next, Peek);
                    break;
                case "accept":
                    Verdict(writer, Accept, null);
                    break;
                case "drop":
                    Verdict(writer, Drop, null);
                    break;
                case "return":
                    Verdict(writer, Return, null);
                    break;
                case "jump":
                    Verdict(writer, Jump, Next());
                    break;
                case "goto":
                    Verdict(writer, Goto, Next());
                    break;
                case "log":
                    {
                        if (Next() != "prefix")
                        {
                            throw new NotSupportedException("log without prefix");
                        }

                        var element = BeginExpression(writer, "log");
                        writer.AttributeString(LogPrefix, Unquote(Next()));
                        EndExpression(writer, element);
                        break;
                    }

                case "comment":
                    comment = Unquote(Next());
                    break;
                default:
                    throw new NotSupportedException($"'{word}' in rule: {rule}");
            }
        }

        writer.EndNested(expressions);
        if (comment is not null)
        {
            // libnftnl userdata TLV: type NFTNL_UDATA_RULE_COMMENT, length (with the NUL), the string.
            var length = Encoding.UTF8.GetByteCount(comment) + 1;
            if (length > 255)
            {
                throw new NotSupportedException("comment longer than 254 bytes");
            }

            var userdata = writer.Attribute(RuleUserdata, 2 + length);
            userdata[0] = UdataRuleComment;
            userdata[1] = (byte)length;
            Encoding.UTF8.GetBytes(comment, userdata[2..]);
        }
    }

    public static byte ProtocolNumber(string name) => name switch
    {
        "icmp" => 1,
        "tcp" => 6,
        "udp" => 17,
        "ipv6-icmp" => 58,
        "sctp" => 132,
        "udplite" => 136,
        _ when byte.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
        _ => throw new NotSupportedException($"protocol '{name}'"),
    };

    private sealed class State
    {
        public byte? L4Proto;
        public byte? NfProto;
    }

    private static void Meta(MessageWriter writer, State state, string key, Func<string> next, Func<string> peek)
    {
        switch (key)
        {
            case "l4proto":
                {
                    var negate = peek() == "!=";
                    if (negate)
                    {
                        next();
                    }

                    var protocol = ProtocolNumber(next());
                    MatchByte(writer, MetaL4proto, protocol, negate);
                    if (!negate)
                    {
                        state.L4Proto = protocol;
                    }

                    break;
                }

            case "nfproto":
                {
                    var family = next() switch
                    {
                        "ipv4" => (byte)2,
                        "ipv6" => (byte)10,
                        var other => throw new NotSupportedException($"meta nfproto {other}"),
                    };
                    MatchByte(writer, MetaNfproto, family, negate: false);
                    state.NfProto = family;
                    break;
                }

            case "mark":
                {
                    var op = next();
                    if (op == "set")
                    {
                        // meta mark set meta mark & M  |  meta mark set meta mark | B
                        if (next() != "meta" || next() != "mark")
                        {
                            throw new NotSupportedException("meta mark set from something else than meta mark");
                        }

                        var bitOp = next();
                        var value = ParseHex(next());
                        LoadMeta(writer, MetaMark, Reg1);
                        if (bitOp == "&")
                        {
                            Bitwise(writer, Reg1, value, 0);
                        }
                        else if (bitOp == "|")
                        {
                            Bitwise(writer, Reg1, ~value, value); // a | b == (a & ~b) ^ b
                        }
                        else
                        {
                            throw new NotSupportedException($"meta mark set meta mark {bitOp}");
                        }

                        var element = BeginExpression(writer, "meta");
                        WriteU32(writer, MetaKey, MetaMark);
                        WriteU32(writer, MetaSreg, Reg1);
                        EndExpression(writer, element);
                    }
                    else if (op == "&")
                    {
                        // meta mark & M == V
                        var mask = ParseHex(next());
                        var compare = next();
                        var value = ParseHex(next());
                        LoadMeta(writer, MetaMark, Reg1);
                        Bitwise(writer, Reg1, mask, 0);
                        var data = new byte[4];
                        BinaryPrimitives.WriteUInt32LittleEndian(data, value); // the mark is in host byte order
                        Cmp(writer, Reg1, compare == "==" ? CmpEq : compare == "!=" ? CmpNeq : throw new NotSupportedException($"meta mark & .. {compare}"), data);
                    }
                    else
                    {
                        throw new NotSupportedException($"meta mark {op}");
                    }

                    break;
                }

            default:
                throw new NotSupportedException($"meta {key}");
        }
    }

    /// <summary>ip saddr [!=] (ADDRESS[/LEN] | @SET), or the named-port concatenation ip saddr . meta l4proto . th dport [!=] @SET.</summary>
    private static void Address(MessageWriter writer, State state, int family, string field, Func<string> next, Func<string> peek)
    {
        var nfproto = family == 4 ? (byte)2 : (byte)10;
        if (state.NfProto != nfproto)
        {
            MatchByte(writer, MetaNfproto, nfproto, negate: false);
            state.NfProto = nfproto;
        }

        var addressLength = family == 4 ? 4 : 16;
        uint offset = (family, field) switch
        {
            (4, "saddr") => 12,
            (4, "daddr") => 16,
            (6, "saddr") => 8,
            (6, "daddr") => 24,
            _ => throw new NotSupportedException($"ip{(family == 6 ? "6" : "")} {field}"),
        };

        if (peek() == ".")
        {
            next();
            if (next() != "meta" || next() != "l4proto" || next() != "." || next() != "th")
            {
                throw new NotSupportedException("concatenation other than address . meta l4proto . th port");
            }

            var portOffset = PortOffset(next());
            var negateSet = peek() == "!=";
            if (negateSet)
            {
                next();
            }

            var set = SetName(next());
            // nft's register layout for concatenations: each field starts at the next 32-bit register.
            var protoRegister = Reg32First + (uint)(addressLength / 4);
            Payload(writer, BaseNetwork, offset, (uint)addressLength, Reg1);
            LoadMeta(writer, MetaL4proto, protoRegister);
            Payload(writer, BaseTransport, portOffset, 2, protoRegister + 1);
            Lookup(writer, set, negateSet);
            return;
        }

        var negate = peek() == "!=";
        if (negate)
        {
            next();
        }

        var operand = next();
        if (operand.StartsWith('@'))
        {
            Payload(writer, BaseNetwork, offset, (uint)addressLength, Reg1);
            Lookup(writer, SetName(operand), negate);
            return;
        }

        var slash = operand.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(slash < 0 ? operand : operand[..slash]);
        if ((address.AddressFamily == AddressFamily.InterNetwork ? 4 : 6) != family)
        {
            throw new NotSupportedException($"address {operand} in an ip{(family == 6 ? "6" : "")} match");
        }

        var prefix = slash < 0 ? addressLength * 8 : int.Parse(operand[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
        var bytes = address.GetAddressBytes();
        if (prefix % 8 == 0)
        {
            // Like nft: a prefix on a byte boundary loads and compares only its bytes.
            var length = prefix / 8;
            if (length == 0)
            {
                throw new NotSupportedException("a /0 prefix");
            }

            Payload(writer, BaseNetwork, offset, (uint)length, Reg1);
            Cmp(writer, Reg1, negate ? CmpNeq : CmpEq, bytes.AsSpan(0, length));
            return;
        }

        var mask = new byte[addressLength];
        for (var bit = 0; bit < prefix; bit++)
        {
            mask[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }

        var masked = new byte[addressLength];
        for (var b = 0; b < addressLength; b++)
        {
            masked[b] = (byte)(bytes[b] & mask[b]);
        }

        Payload(writer, BaseNetwork, offset, (uint)addressLength, Reg1);
        BitwiseBytes(writer, Reg1, mask, new byte[addressLength]);
        Cmp(writer, Reg1, negate ? CmpNeq : CmpEq, masked);
    }

    /// <summary>iifname "name" | "prefix*" | [!=] @set | vmap @map.</summary>
    private static void Interface(MessageWriter writer, uint key, Func<string> next, Func<string> peek)
    {
        LoadMeta(writer, key, Reg1);
        var negate = peek() == "!=";
        if (negate)
        {
            next();
        }

        var operand = next();
        if (operand == "vmap" && !negate)
        {
            var element = BeginExpression(writer, "lookup");
            writer.AttributeString(LookupSet, SetName(next()));
            WriteU32(writer, LookupSreg, Reg1);
            WriteU32(writer, LookupDreg, RegVerdict);
            EndExpression(writer, element);
            return;
        }

        if (operand.StartsWith('@'))
        {
            Lookup(writer, SetName(operand), negate);
            return;
        }

        var name = Unquote(operand);
        if (name.EndsWith('*'))
        {
            // A wildcard compares only the prefix bytes (no NUL), as nft does.
            Cmp(writer, Reg1, negate ? CmpNeq : CmpEq, Encoding.UTF8.GetBytes(name[..^1]));
            return;
        }

        var bytes = new byte[IfNameSize];
        if (Encoding.UTF8.GetByteCount(name) >= IfNameSize)
        {
            throw new NotSupportedException($"interface name '{name}' is too long");
        }

        Encoding.UTF8.GetBytes(name, bytes);
        Cmp(writer, Reg1, negate ? CmpNeq : CmpEq, bytes);
    }

    private static uint PortOffset(string field) => field switch
    {
        "sport" => 0,
        "dport" => 2,
        _ => throw new NotSupportedException($"th {field}"),
    };

    /// <summary>th PORT: N, N-M or @SET (ports are big-endian on the wire).</summary>
    private static void Port(MessageWriter writer, uint offset, bool negate, string operand)
    {
        Payload(writer, BaseTransport, offset, 2, Reg1);
        if (operand.StartsWith('@'))
        {
            Lookup(writer, SetName(operand), negate);
            return;
        }

        var dash = operand.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            Cmp(writer, Reg1, negate ? CmpNeq : CmpEq, BigEndianPort(operand));
            return;
        }

        var first = BigEndianPort(operand[..dash]);
        var last = BigEndianPort(operand[(dash + 1)..]);
        if (negate)
        {
            var element = BeginExpression(writer, "range");
            WriteU32(writer, RangeSreg, Reg1);
            WriteU32(writer, RangeOp, RangeNeq);
            WriteData(writer, RangeFrom, first);
            WriteData(writer, RangeTo, last);
            EndExpression(writer, element);
        }
        else
        {
            // nft writes a positive range as two comparisons.
            Cmp(writer, Reg1, CmpGte, first);
            Cmp(writer, Reg1, CmpLte, last);
        }
    }

    private static byte[] BigEndianPort(string text)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, ushort.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture));
        return bytes;
    }

    private static string SetName(string operand) =>
        operand.Length > 1 && operand[0] == '@' ? operand[1..] : throw new NotSupportedException($"'{operand}' is not a set reference");

    private static uint ParseHex(string text) =>
        text.StartsWith("0x", StringComparison.Ordinal)
            ? uint.Parse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : throw new NotSupportedException($"'{text}' is not a hex number");

    private static void MatchByte(MessageWriter writer, uint key, byte value, bool negate)
    {
        LoadMeta(writer, key, Reg1);
        Cmp(writer, Reg1, negate ? CmpNeq : CmpEq, [value]);
    }

    private static void LoadMeta(MessageWriter writer, uint key, uint register)
    {
        var element = BeginExpression(writer, "meta");
        WriteU32(writer, MetaDreg, register);
        WriteU32(writer, MetaKey, key);
        EndExpression(writer, element);
    }

    private static void Payload(MessageWriter writer, uint payloadBase, uint offset, uint length, uint register)
    {
        var element = BeginExpression(writer, "payload");
        WriteU32(writer, PayloadDreg, register);
        WriteU32(writer, PayloadBase, payloadBase);
        WriteU32(writer, PayloadOffset, offset);
        WriteU32(writer, PayloadLen, length);
        EndExpression(writer, element);
    }

    private static void Cmp(MessageWriter writer, uint register, uint op, ReadOnlySpan<byte> data)
    {
        var element = BeginExpression(writer, "cmp");
        WriteU32(writer, CmpSreg, register);
        WriteU32(writer, CmpOp, op);
        WriteData(writer, CmpData, data);
        EndExpression(writer, element);
    }

    /// <summary>register = (register &amp; mask) ^ xor on a 32-bit host-order value (the mark).</summary>
    private static void Bitwise(MessageWriter writer, uint register, uint mask, uint xor)
    {
        var maskBytes = new byte[4];
        var xorBytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(maskBytes, mask);
        BinaryPrimitives.WriteUInt32LittleEndian(xorBytes, xor);
        BitwiseBytes(writer, register, maskBytes, xorBytes);
    }

    private static void BitwiseBytes(MessageWriter writer, uint register, byte[] mask, byte[] xor)
    {
        var element = BeginExpression(writer, "bitwise");
        WriteU32(writer, BitwiseSreg, register);
        WriteU32(writer, BitwiseDreg, register);
        WriteU32(writer, BitwiseLen, (uint)mask.Length);
        WriteData(writer, BitwiseMask, mask);
        WriteData(writer, BitwiseXor, xor);
        EndExpression(writer, element);
    }

    private static void Lookup(MessageWriter writer, string set, bool invert)
    {
        var element = BeginExpression(writer, "lookup");
        writer.AttributeString(LookupSet, set);
        WriteU32(writer, LookupSreg, Reg1);
        if (invert)
        {
            WriteU32(writer, LookupFlags, LookupInvert);
        }

        EndExpression(writer, element);
    }

    private static void Verdict(MessageWriter writer, int code, string? chain)
    {
        var element = BeginExpression(writer, "immediate");
        WriteU32(writer, ImmediateDreg, RegVerdict);
        var data = writer.BeginNested(ImmediateData);
        var verdict = writer.BeginNested(DataVerdict);
        BinaryPrimitives.WriteInt32BigEndian(writer.Attribute(VerdictCode, 4), code);
        if (chain is not null)
        {
            writer.AttributeString(VerdictChain, chain);
        }

        writer.EndNested(verdict);
        writer.EndNested(data);
        EndExpression(writer, element);
    }

    private static (int Element, int Data) BeginExpression(MessageWriter writer, string name)
    {
        var element = writer.BeginNested(ListElem);
        writer.AttributeString(ExprName, name);
        return (element, writer.BeginNested(ExprData));
    }

    private static void EndExpression(MessageWriter writer, (int Element, int Data) expression)
    {
        writer.EndNested(expression.Data);
        writer.EndNested(expression.Element);
    }

    private static void WriteU32(MessageWriter writer, ushort type, uint value) =>
        BinaryPrimitives.WriteUInt32BigEndian(writer.Attribute(type, 4), value);

    private static void WriteData(MessageWriter writer, ushort type, ReadOnlySpan<byte> value)
    {
        var nested = writer.BeginNested(type);
        writer.Attribute(DataValue, value);
        writer.EndNested(nested);
    }

    private static string Unquote(string token) =>
        token.Length >= 2 && token[0] == '"' && token[^1] == '"' ? token[1..^1] : throw new NotSupportedException($"'{token}' is not a quoted string");

    /// <summary>Splits on spaces; a double-quoted string (the renderer never puts quotes inside one) is one token.</summary>
    private static List<string> Tokenize(string rule)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < rule.Length)
        {
            if (rule[i] == ' ')
            {
                i++;
                continue;
            }

            int end;
            if (rule[i] == '"')
            {
                end = rule.IndexOf('"', i + 1);
                if (end < 0)
                {
                    throw new NotSupportedException($"unterminated string in rule: {rule}");
                }

                end++;
            }
            else
            {
                end = rule.IndexOf(' ', i);
                if (end < 0)
                {
                    end = rule.Length;
                }
            }

            tokens.Add(rule[i..end]);
            i = end;
        }

        return tokens;
    }
}
