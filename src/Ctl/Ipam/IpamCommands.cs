using System.CommandLine;

namespace Tabby.Ctl.Ipam;

/// <summary><c>tabbyctl ipam show|check|release|configure</c>, like calicoctl's.</summary>
internal static class IpamCommands
{
    public static Command Create()
    {
        var ipam = new Command("ipam", "IP address management: usage, consistency checks, release of leaked addresses");
        ipam.Subcommands.Add(IpamShowCommand.Create());
        ipam.Subcommands.Add(IpamCheckCommand.Create());
        ipam.Subcommands.Add(IpamReleaseCommand.Create());
        ipam.Subcommands.Add(IpamConfigureCommand.Create());
        return ipam;
    }
}
