using System.Net;
using System.Text;
using Tabby.Cni.Dataplane;
using Tabby.Cni.Plugin;
using Tabby.Cni.Spec;
using Tabby.Datastore.Store;
using Tabby.Ipam;
using Xunit;

namespace Tabby.Cni.Tests.Plugin;

/// <summary>The dispatcher's error mapping and result merging, without a process or a kernel.</summary>
public sealed class CniDispatcherTests
{
    public static TheoryData<Exception, CniErrorCode> Failures => new()
    {
        { new IpamExhaustedException("full"), CniErrorCode.AddressesExhausted },
        { new IpamContentionException("busy"), CniErrorCode.TryAgainLater },
        { new IpamRequestException("no pool"), CniErrorCode.AddressUnavailable },
        { new AddressInUseException("taken"), CniErrorCode.AddressUnavailable },
        { new DatastoreUnavailableException("down"), CniErrorCode.TryAgainLater },
        { new HttpRequestException("refused"), CniErrorCode.TryAgainLater },
        { new Felix.Netlink.NetlinkException(17, "RTM_NEWLINK"), CniErrorCode.DataplaneFailure },
        { new IOException("disk"), CniErrorCode.IoFailure },
        { new InvalidOperationException("bug"), CniErrorCode.UnexpectedFailure },
        { new CniException(CniErrorCode.ContainerUnknown, "gone"), CniErrorCode.ContainerUnknown },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Failures_map_to_spec_and_tabby_codes(Exception failure, CniErrorCode code) =>
        Assert.Equal(code, CniDispatcher.Classify(failure).Code);

    [Fact]
    public async Task Version_needs_no_other_parameter_and_answers_the_asked_version()
    {
        var stdout = new StringWriter();
        var status = await CniDispatcher.RunAsync(name => name == "CNI_COMMAND" ? "VERSION" : null,
            new MemoryStream(Encoding.UTF8.GetBytes("""{"cniVersion": "0.4.0"}""")), stdout, CancellationToken.None);

        Assert.Equal(0, status);
        Assert.StartsWith("""{"cniVersion":"0.4.0","supportedVersions":""", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Chained_result_keeps_the_previous_plugins_entries_and_indexes_ours_after_them()
    {
        var previous = new CniResult
        {
            Interfaces = [new ResultInterface("bridge0", "aa:bb:cc:dd:ee:ff", null)],
            Ips = [new ResultIp(new CidrAddress(IPAddress.Parse("203.0.113.9"), 24), null, 0)],
        };
        var ours = new WorkloadInterfaces("cali0761ccbeace", "ee:ee:ee:ee:ee:ee", "eth0", "a6:fa:69:2c:02:55", 1400);

        var result = AddCommand.BuildResult(previous, ours, "/run/netns/p", [IPAddress.Parse("198.18.0.5"), IPAddress.Parse("2001:db8::5")]);

        Assert.Equal(["bridge0", "cali0761ccbeace", "eth0"], result.Interfaces.Select(i => i.Name));
        Assert.Equal([0, 2, 2], result.Ips.Select(ip => ip.Interface!.Value));
        Assert.Equal(["0.0.0.0/0", "::/0"], result.Routes.Select(r => r.Destination.ToString()));
        Assert.Single(previous.Interfaces); // the previous result itself is not changed
    }
}
