using System.CommandLine;
using System.Text.Json;
using Xunit;

namespace Tabby.Ctl.Tests.Policy;

public sealed class PolicyTraceCommandTests
{
    private static readonly string Shop = FindShop();

    private static string FindShop()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tabby.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "tests", "Tabby.Ctl.Tests", "Policy", "testdata", "shop.yaml");
    }

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = Program.RunAsync(["policy", "trace", .. args], output, error).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void AllowedFlowListsEachDecisionInOrder()
    {
        var (exit, output, error) = Run("-f", Shop, "--from", "prod/frontend", "--to", "backend", "--port", "8080", "-o", "wide");
        Assert.Equal(0, exit);
        Assert.Empty(error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ALLOW  prod/frontend (198.18.0.1) -> prod/backend (198.18.0.2)  TCP 40000->8080", lines[0], StringComparison.Ordinal);
        Assert.Contains("egress", lines[1], StringComparison.Ordinal);
        Assert.Contains("policy prod/knp.default.egress  rule 2 (egress[1].to[0] TCP)", lines[1], StringComparison.Ordinal);
        Assert.Contains("tier security  policy security.block-bad-net  rule 1", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("=> Pass", lines[2].TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("policy prod/knp.default.frontend-to-backend  rule 0 (ingress[0].from[0] TCP)", lines[3], StringComparison.Ordinal);
        Assert.EndsWith("=> Allow", lines[3].TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void DeniedFlowNamesTheTierDefault()
    {
        var (exit, output, _) = Run("-f", Shop, "--from", "198.18.0.2", "--to", "prod/frontend", "--port", "80");
        Assert.Equal(0, exit);
        Assert.StartsWith("DENY", output, StringComparison.Ordinal);
        Assert.Contains("tier default: no policy decided, tier default  => Deny", output, StringComparison.Ordinal);
    }

    [Fact]
    public void DnsToKubeDnsAndExternalSourcesAsJson()
    {
        var (exit, output, _) = Run("-f", Shop, "--from", "frontend", "--to", "kube-system/coredns", "-p", "UDP", "--port", "53", "-o", "json");
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("allowed").GetBoolean());
        var steps = json.RootElement.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal("Egress", steps[0].GetProperty("direction").GetString());
        Assert.Equal("RuleMatched", steps[0].GetProperty("reason").GetString());
        Assert.Equal("Pass", steps[1].GetProperty("action").GetString());           // the security tier passes it on
        Assert.Equal("AllTiersPassed", steps[2].GetProperty("reason").GetString()); // and no kube-system policy exists

        var (_, blocked, _) = Run("-f", Shop, "--from", "203.0.113.7", "--to", "prod/backend", "--port", "8080", "-o", "yaml");
        Assert.Contains("allowed: false", blocked, StringComparison.Ordinal);
        Assert.Contains("policy: security.block-bad-net", blocked, StringComparison.Ordinal);
        Assert.Contains("reason: NotAnEndpoint", blocked, StringComparison.Ordinal);
    }

    [Fact]
    public void IcmpToAnExternalAddressIsDeniedByEgressIsolation()
    {
        var (exit, output, error) = Run("-f", Shop, "--from", "prod/frontend", "--to", "203.0.113.9", "-p", "ICMP");
        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.StartsWith("DENY", output, StringComparison.Ordinal); // prod egress allows only DNS and backend
    }

    [Theory]
    [InlineData("--from nobody --to prod/backend --port 1", "no such pod")]
    [InlineData("--from prod/frontend --to prod/backend", "--port is required for TCP")]
    [InlineData("--from prod/frontend --to 2001:db8::1 --port 1", "different IP families")]
    [InlineData("--from prod/frontend --to prod/backend -p XTP", "unknown protocol")]
    [InlineData("--from prod/frontend --to prod/backend --port 70000", "ports must be 0-65535")]
    public void ErrorsGoToStderrWithExitCode1(string arguments, string expected)
    {
        var (exit, output, error) = Run(["-f", Shop, .. arguments.Split(' ')]);
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidPolicyIsAnErrorNamingTheResourceAndField()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata: {name: bad}
                spec:
                  selector: app = 'x'
                """);
            var (exit, _, error) = Run("-f", file, "--from", "198.18.0.1", "--to", "198.18.0.2", "--port", "1");
            Assert.Equal(1, exit);
            Assert.Contains("GlobalNetworkPolicy bad: spec.selector:", error, StringComparison.Ordinal);
            Assert.Contains("at position 4", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void NeedsExactlyOneSource()
    {
        var (exit, _, _) = Run("--from", "a", "--to", "b");
        Assert.NotEqual(0, exit);
    }

    [Fact]
    public void WithoutManifestsTheClustersDatastoreIsRead()
    {
        var dir = Path.Combine(Path.GetTempPath(), "tabbyctl-trace-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var (applied, _, applyError) = RunCtl("apply", "--data-dir", dir, "-f", Shop);
            Assert.True(applied == 0, applyError);

            var (exit, output, error) = Run("--data-dir", dir, "--from", "prod/frontend", "--to", "backend", "--port", "8080");

            Assert.True(exit == 0, error);
            Assert.StartsWith("ALLOW  prod/frontend (198.18.0.1) -> prod/backend (198.18.0.2)", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AMissingEmbeddedDatastoreIsAClearError()
    {
        var (exit, _, error) = Run("--data-dir", "/nonexistent/tabby-store", "--from", "198.18.0.1", "--to", "198.18.0.2");
        Assert.Equal(1, exit);
        Assert.Contains("/nonexistent/tabby-store does not exist", error, StringComparison.Ordinal);
    }

    private static (int Exit, string Out, string Err) RunCtl(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = Program.RunAsync(args, output, error).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }
}
