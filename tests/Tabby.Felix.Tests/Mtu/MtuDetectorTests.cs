using Tabby.Felix.Mtu;
using Tabby.Felix.Netlink.Links;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Felix.Tests.Mtu;

public sealed class MtuDetectorTests
{
    private static Link Up(string name, int mtu) => new(1, name) { Mtu = mtu, Flags = InterfaceFlags.Up };

    [Fact]
    public void Host_mtu_is_the_smallest_main_interface_and_ignores_the_rest()
    {
        var links = new[]
        {
            new Link(1, "lo") { Mtu = 65536, Flags = InterfaceFlags.Up | InterfaceFlags.Loopback },
            Up("eth0", 9000), Up("ens5", 1500), Up("cali1234", 1000), Up("vxlan.calico", 1200), Up("docker0", 576),
            new Link(9, "eth1") { Mtu = 1280 }, // down
        };
        var detector = new MtuDetector();
        Assert.Equal(1500, detector.HostMtu(links));
        Assert.Equal(1450, detector.PodMtu(links, Encapsulations.Vxlan));
        Assert.Equal(1480, detector.PodMtu(links, Encapsulations.Ipip));
        Assert.Equal(1430, detector.PodMtu(links, Encapsulations.Vxlan | Encapsulations.VxlanV6));
        Assert.Equal(1440, detector.PodMtu(links, Encapsulations.WireGuard | Encapsulations.Ipip));
        Assert.Equal(1500, detector.PodMtu(links, Encapsulations.None));
    }

    [Fact]
    public void Without_main_interfaces_the_host_mtu_is_1460() =>
        Assert.Equal(1460, new MtuDetector().HostMtu([Up("cali1", 1500)]));

    [Fact]
    public void The_file_is_written_atomically_and_read_back()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tabby-mtu-{Guid.NewGuid():N}", "mtu");
        MtuFile.Write(1450, path);
        Assert.Equal("1450\n", File.ReadAllText(path));
        Assert.Equal(1450, MtuFile.Read(path));
        MtuFile.Write(1480, path);
        Assert.Equal(1480, MtuFile.Read(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
        File.WriteAllText(path, "junk");
        Assert.Throws<FormatException>(() => MtuFile.Read(path));
        Assert.Null(MtuFile.Read(path + ".absent"));
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [RootFact]
    public void Detection_reads_the_real_interfaces_of_a_namespace()
    {
        using var t = new NamespaceClient("mtu");
        t.Namespace.Ip("link", "add", "eth0", "mtu", "1400", "type", "veth", "peer", "name", "p0");
        t.Namespace.Ip("link", "add", "eth1", "mtu", "9000", "type", "veth", "peer", "name", "p1");
        t.Namespace.Ip("link", "set", "eth0", "up");
        t.Namespace.Ip("link", "set", "eth1", "up");
        Assert.Equal(1350, new MtuDetector().PodMtu(t.Client.ListLinks(), Encapsulations.Vxlan));
    }
}
