namespace Tabby.Felix.Policy.Nftables.Netlink;

/// <summary>
/// Numbers of the nftables netlink API (linux/netfilter/nf_tables.h, linux/netfilter/nfnetlink.h)
/// used by <see cref="NftNetlinkBatch"/>. Every 32-bit attribute of nf_tables is big-endian.
/// </summary>
internal static class NfTablesWire
{
    public const byte SubsystemNftables = 10; // NFNL_SUBSYS_NFTABLES
    public const ushort BatchBegin = 0x10;     // NFNL_MSG_BATCH_BEGIN (NLMSG_MIN_TYPE)
    public const ushort BatchEnd = 0x11;
    public const byte FamilyInet = 1;          // NFPROTO_INET

    // enum nf_tables_msg_types
    public const byte NewTable = 0, DelTable = 2, NewChain = 3, DelChain = 5, NewRule = 6, DelRule = 8,
        NewSet = 9, DelSet = 11, NewSetElem = 12, DelSetElem = 14;

    public static ushort MessageType(byte message) => (ushort)((SubsystemNftables << 8) | message);

    // NFTA_TABLE_*, NFTA_CHAIN_*, NFTA_RULE_*
    public const ushort TableName = 1;
    public const ushort ChainTable = 1, ChainName = 3, ChainHook = 4, ChainPolicy = 5, ChainType = 7;
    public const ushort HookNumber = 1, HookPriority = 2;
    public const ushort RuleTable = 1, RuleChain = 2, RuleExpressions = 4, RuleUserdata = 7;

    // NFTA_SET_*
    public const ushort SetTable = 1, SetName = 2, SetFlags = 3, SetKeyType = 4, SetKeyLen = 5, SetDesc = 9, SetId = 10, SetUserdata = 13;

    // libnftnl set userdata NFTNL_UDATA_SET_KEYBYTEORDER with nft's BYTEORDER_HOST_ENDIAN / BYTEORDER_BIG_ENDIAN:
    // nft reads it to print keys (an ifname key is a host-order string).
    public const byte UdataSetKeyByteOrder = 0;
    public const uint ByteOrderHost = 1, ByteOrderBig = 2;
    public const ushort SetDescConcat = 2, SetFieldLen = 1;

    // NFTA_SET_ELEM_LIST_* and NFTA_SET_ELEM_*
    public const ushort ElemListTable = 1, ElemListSet = 2, ElemListElements = 3;
    public const ushort ElemKey = 1, ElemData = 2, ElemFlags = 3, ElemUserdata = 6;
    public const uint ElemIntervalEnd = 1;       // NFT_SET_ELEM_INTERVAL_END
    public const uint SetFlagInterval = 0x4, SetFlagMap = 0x8, SetFlagConcat = 0x80;
    public const ushort SetDataType = 6, SetDataLen = 7;
    public const uint DataTypeVerdict = 0xffffff00; // NFT_DATA_VERDICT

    public const ushort ListElem = 1;           // NFTA_LIST_ELEM
    public const ushort ExprName = 1, ExprData = 2;
    public const ushort DataValue = 1, DataVerdict = 2;
    public const ushort VerdictCode = 1, VerdictChain = 2;

    // Registers (enum nft_registers): the verdict register, 16-byte NFT_REG_1, 4-byte NFT_REG32_00.
    public const uint RegVerdict = 0, Reg1 = 1, Reg32First = 8;

    // Verdicts (NF_DROP, NF_ACCEPT, enum nft_verdicts).
    public const int Drop = 0, Accept = 1, Jump = -3, Goto = -4, Return = -5;

    // Expression attributes.
    public const ushort MetaDreg = 1, MetaKey = 2, MetaSreg = 3;
    public const uint MetaMark = 3, MetaNfproto = 15, MetaL4proto = 16;
    public const ushort CmpSreg = 1, CmpOp = 2, CmpData = 3;
    public const uint CmpEq = 0, CmpNeq = 1, CmpLte = 3, CmpGte = 5;
    public const ushort PayloadDreg = 1, PayloadBase = 2, PayloadOffset = 3, PayloadLen = 4;
    public const uint BaseNetwork = 1, BaseTransport = 2;
    public const ushort BitwiseSreg = 1, BitwiseDreg = 2, BitwiseLen = 3, BitwiseMask = 4, BitwiseXor = 5;
    public const ushort LookupSet = 1, LookupSreg = 2, LookupDreg = 3, LookupFlags = 5;
    public const ushort CtDreg = 1, CtKey = 2;
    public const uint CtState = 0;
    public const uint MetaIifname = 6, MetaOifname = 7;
    public const uint LookupInvert = 1;          // NFT_LOOKUP_F_INV
    public const ushort RangeSreg = 1, RangeOp = 2, RangeFrom = 3, RangeTo = 4;
    public const uint RangeNeq = 1;
    public const ushort ImmediateDreg = 1, ImmediateData = 2;
    public const ushort LogPrefix = 2;

    // nftables (user space) type numbers stored in NFTA_SET_KEY_TYPE; concatenations shift by 6 bits per field.
    public const uint TypeIpv4 = 7, TypeIpv6 = 8, TypeInetProto = 12, TypeInetService = 13, TypeIfname = 41;
    public const int IfNameSize = 16;            // IFNAMSIZ

    // libnftnl rule userdata: NFTNL_UDATA_RULE_COMMENT.
    public const byte UdataRuleComment = 0;
}
