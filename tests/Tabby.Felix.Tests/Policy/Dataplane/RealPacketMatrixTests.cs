using Tabby.Felix.Policy.Evaluation;
using Tabby.Felix.Policy.Nftables;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Felix.Tests.Policy.Dataplane;

/// <summary>
/// Real packets: for each scenario the rendered ruleset is applied in the lab's node namespace and
/// every TCP connect / UDP echo between pods and external hosts must match the evaluator's verdict.
/// </summary>
public sealed class RealPacketMatrixTests(PolicyLabFixture fixture) : IClassFixture<PolicyLabFixture>
{
    private static readonly NftablesPolicyOptions Options = new() { WorkloadInterfacePrefixes = ["tp"] };

    public static TheoryData<string> Scenarios => new(PolicyScenarios.All.Keys);

    [RootTheory]
    [MemberData(nameof(Scenarios))]
    public async Task KernelAgreesWithEvaluator(string scenario)
    {
        var lab = fixture.Lab;
        var world = PolicyWorld.Standard();
        foreach (var json in PolicyScenarios.All[scenario])
        {
            world.Apply(json);
        }

        var dataplane = new NftablesPolicyDataplane(world.Calculator, new NftProcessRunner(lab.Node.Name), Options);
        await dataplane.ApplyFullAsync();
        var (allowed, denied, mismatches) = await ConnectivityMatrix.RunAsync(lab, cell => Evaluate(world, lab, cell));
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} cells disagree:\n" + string.Join("\n\n", mismatches));
        Assert.True(allowed > 0 && denied > 0, $"scenario {scenario} should allow some cells and deny others ({allowed} allowed, {denied} denied)");
    }

    /// <summary>The same scenarios applied one after another to one calculator with incremental
    /// applies only (policies removed and added, pods relabelled); the kernel must follow.</summary>
    [RootFact]
    public async Task IncrementalUpdatesKeepKernelAndEvaluatorInAgreement()
    {
        var lab = fixture.Lab;
        var world = PolicyWorld.Standard();
        var runner = new Nftables.RecordingNftRunner(new NftProcessRunner(lab.Node.Name));
        var dataplane = new NftablesPolicyDataplane(world.Calculator, runner, Options);
        await dataplane.ApplyAsync();
        foreach (var scenario in new[] { "frontend-to-backend", "calico-tiers-order-pass", "dns-egress" })
        {
            foreach (var key in world.Calculator.Policies.Keys.ToList())
            {
                world.Calculator.RemovePolicy(key);
            }

            foreach (var json in PolicyScenarios.All[scenario])
            {
                world.Apply(json);
            }

            var stats = await dataplane.ApplyAsync();
            Assert.False(stats.Full);
            var (_, _, mismatches) = await ConnectivityMatrix.RunAsync(lab, cell => Evaluate(world, lab, cell));
            Assert.True(mismatches.Count == 0, $"after switching to {scenario}: {mismatches.Count} cells disagree:\n" + string.Join("\n\n", mismatches));
        }

        // Relabel: db becomes a frontend (gains frontend's rights, loses db's lockdown).
        world.Pod("prod/db", "198.18.0.3,2001:db8:1::3", true, [("app", "frontend")], interfaceName: "tp3");
        var relabel = await dataplane.ApplyAsync();
        Assert.False(relabel.Full);
        Assert.True(relabel.ScriptBytes == 0 || relabel.ViaNetlink, runner.LastScript);
        Assert.True(runner.NetlinkTransactions >= 2, $"{runner.NetlinkTransactions} of {runner.Scripts.Count} transactions went over netlink");
        var (_, _, afterRelabel) = await ConnectivityMatrix.RunAsync(lab, cell => Evaluate(world, lab, cell));
        Assert.True(afterRelabel.Count == 0, "after relabel:\n" + string.Join("\n\n", afterRelabel));
        Assert.Empty(await dataplane.ResyncAsync());
    }

    private static Verdict Evaluate(PolicyWorld world, PolicyLab lab, ProbeCell cell) =>
        world.Evaluator.Evaluate(new Flow(lab.AddressOf(cell.From, cell.V6), lab.AddressOf(cell.To, cell.V6), cell.Protocol, 40000, cell.Port));
}
