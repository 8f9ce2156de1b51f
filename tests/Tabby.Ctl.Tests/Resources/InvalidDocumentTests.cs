using Xunit;

namespace Tabby.Ctl.Tests.Resources;

/// <summary>Invalid input is refused with the document and the field named, and nothing is written.</summary>
public sealed class InvalidDocumentTests(BackendFixture backends) : IClassFixture<BackendFixture>
{
    private async Task<(int Exit, string Err, string[] Flags)> ApplyAsync(string yaml)
    {
        var flags = backends.Flags("embedded");
        var (exit, _, error) = await CtlRunner.RunAsync(["apply", "-f", backends.WriteFile("bad.yaml", yaml), .. flags]);
        return (exit, error, flags);
    }

    [Fact]
    public async Task Field_errors_name_document_and_field_and_nothing_is_applied()
    {
        var (exit, error, flags) = await ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata: {name: good}
            spec: {cidr: 198.18.0.0/16}
            ---
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata: {name: bad}
            spec:
              cidr: 198.19.0.1/16
              blockSize: 40
              ipipMode: Always
              vxlanMode: Always
            """);
        Assert.Equal(1, exit);
        Assert.Contains("document 2 (IPPool \"bad\"): spec.cidr: \"198.19.0.1/16\" has host bits set; did you mean 198.19.0.0/16?", error, StringComparison.Ordinal);
        Assert.Contains("spec.vxlanMode: IPIP and VXLAN cannot both be enabled", error, StringComparison.Ordinal);
        Assert.Contains("error: nothing was applied", error, StringComparison.Ordinal);
        var (_, output, _) = await CtlRunner.RunAsync(["get", "ippools", .. flags]);
        Assert.Equal("No resources found.", output.Trim());
    }

    [Fact]
    public async Task Unknown_fields_wrong_types_and_unknown_kinds()
    {
        var (exit, error, _) = await ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: BGPPeer
            metadata: {name: typo}
            spec: {peerIP: 192.0.2.1, asNumber: 64512, peerSelectr: "x == 'y'"}
            ---
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata: {name: p}
            spec: {cidr: 198.18.0.0/16, blockSize: big}
            ---
            apiVersion: projectcalico.org/v3
            kind: FelixConfiguration
            metadata: {name: default}
            """);
        Assert.Equal(1, exit);
        Assert.Contains("document 1 (BGPPeer \"typo\"): spec.peerSelectr: unknown field", error, StringComparison.Ordinal);
        Assert.Contains("document 2 (IPPool \"p\"): spec.blockSize:", error, StringComparison.Ordinal);
        Assert.Contains("document 3: kind: FelixConfiguration in projectcalico.org/v3 is not a Tabby resource", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overlapping_pool_is_refused()
    {
        var flags = backends.Flags("embedded");
        Assert.Equal(0, (await CtlRunner.RunAsync(["apply", "-f", backends.WriteFile("a.yaml", "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: a}\nspec: {cidr: 198.18.0.0/16}\n"), .. flags])).Exit);
        var (exit, _, error) = await CtlRunner.RunAsync(["apply", "-f", backends.WriteFile("b.yaml", "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: b}\nspec: {cidr: 198.18.64.0/18}\n"), .. flags]);
        Assert.Equal(1, exit);
        Assert.Contains("spec.cidr: 198.18.64.0/18 overlaps IPPool \"a\" (198.18.0.0/16)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Yaml_syntax_error_gives_the_line()
    {
        var (exit, error, _) = await ApplyAsync("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: [x\n");
        Assert.Equal(1, exit);
        Assert.Contains("bad.yaml: line 5, column 1: While parsing a flow sequence", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_resource_type_on_the_command_line()
    {
        var (exit, _, error) = await CtlRunner.RunAsync(["get", "felixconfigurations", .. backends.Flags("embedded")]);
        Assert.Equal(1, exit);
        Assert.Contains("the resource type \"felixconfigurations\" is unknown", error, StringComparison.Ordinal);
    }
}
