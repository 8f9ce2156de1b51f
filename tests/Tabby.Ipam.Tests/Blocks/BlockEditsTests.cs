using System.Net;
using System.Text.Json;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Ipam.Blocks;
using Xunit;

namespace Tabby.Ipam.Tests.Blocks;

public sealed class BlockEditsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPNetwork Cidr = IPNetwork.Parse("198.18.0.64/26");

    [Fact]
    public void NewBlockHasEveryOrdinalFreeInOrder()
    {
        var block = BlockEdits.NewBlock(Cidr, Affinity.ForHost("node-a"), Now);

        Assert.Equal("198-18-0-64-26", block.Name);
        Assert.Equal(64, block.Spec.Allocations.Count);
        Assert.Equal(Enumerable.Range(0, 64), block.Spec.Unallocated);
        Assert.Equal("host:node-a", block.Spec.Affinity);
        Assert.Empty(new BlockView(block).CheckInvariants());
    }

    [Fact]
    public void AssignTakesFromTheHeadAndLeavesTheInputUntouched()
    {
        var block = BlockEdits.NewBlock(Cidr, null, Now);
        var before = JsonSerializer.Serialize(block, DatastoreJsonContext.Default.IPAMBlock);

        var result = BlockEdits.Assign(block, 3, "h1", new Dictionary<string, string> { ["pod"] = "a" })!;

        Assert.Equal(before, JsonSerializer.Serialize(block, DatastoreJsonContext.Default.IPAMBlock));
        Assert.Equal(["198.18.0.64", "198.18.0.65", "198.18.0.66"], result.Addresses.Select(a => a.ToString()));
        Assert.Equal(1UL, result.Updated.Spec.SequenceNumber);
        Assert.Equal(1UL, result.Updated.Spec.SequenceNumberForAllocation!["0"]);
        Assert.Single(result.Updated.Spec.Attributes);
        Assert.Equal(61, result.Updated.Spec.Unallocated.Count);
    }

    [Fact]
    public void ReleaseAppendsToTheTailSoReuseIsDelayed()
    {
        var block = BlockEdits.Assign(BlockEdits.NewBlock(Cidr, null, Now), 2, "h1", null)!.Updated;

        var released = BlockEdits.Release(block, [new ReleaseRequest(IPAddress.Parse("198.18.0.64"))]);
        var next = BlockEdits.Assign(released.Updated!, 1, "h2", null)!;

        Assert.Equal(0, released.Updated!.Spec.Unallocated[^1]);
        Assert.Equal("198.18.0.66", next.Addresses[0].ToString());
    }

    [Fact]
    public void ReleaseWithAStaleSequenceNumberFreesNothing()
    {
        var first = BlockEdits.Assign(BlockEdits.NewBlock(IPNetwork.Parse("198.18.0.0/31"), null, Now), 2, "old-pod", null)!.Updated;
        var oldSequence = new BlockView(first).SequenceNumberOf(0);
        // The address is released and handed to a new pod before the old owner's release arrives.
        var freed = BlockEdits.Release(first, [new ReleaseRequest(IPAddress.Parse("198.18.0.0"))]).Updated!;
        var reused = BlockEdits.AssignSpecific(freed, IPAddress.Parse("198.18.0.0"), "new-pod", null).Updated;

        var late = BlockEdits.Release(reused, [new ReleaseRequest(IPAddress.Parse("198.18.0.0"), oldSequence)]);

        Assert.Null(late.Updated);
        Assert.Equal(["198.18.0.0"], late.Skipped.Select(a => a.ToString()));
        Assert.Equal("new-pod", new BlockView(reused).AttributeOf(0)!.HandleId);
    }

    [Fact]
    public void ReleaseGuardedByHandleSkipsAnotherOwner()
    {
        var block = BlockEdits.Assign(BlockEdits.NewBlock(Cidr, null, Now), 1, "owner", null)!.Updated;

        var result = BlockEdits.Release(block, [new ReleaseRequest(IPAddress.Parse("198.18.0.64"), HandleId: "intruder")]);

        Assert.Null(result.Updated);
        Assert.Single(result.Skipped);
    }

    [Fact]
    public void AssignSpecificRefusesATakenAddressNamingItsOwner()
    {
        var block = BlockEdits.Assign(BlockEdits.NewBlock(Cidr, null, Now), 1, "owner", null)!.Updated;

        var error = Assert.Throws<AddressInUseException>(() => BlockEdits.AssignSpecific(block, IPAddress.Parse("198.18.0.64"), "other", null));

        Assert.Contains("owner", error.Message);
    }

    [Fact]
    public void AssignSpecificOutsideTheBlockIsARequestError()
    {
        var block = BlockEdits.NewBlock(Cidr, null, Now);
        Assert.Throws<IpamRequestException>(() => BlockEdits.AssignSpecific(block, IPAddress.Parse("198.18.1.1"), "h", null));
    }

    [Fact]
    public void FullBlockAssignsNothing()
    {
        var block = BlockEdits.Assign(BlockEdits.NewBlock(IPNetwork.Parse("198.18.0.0/30"), null, Now), 10, "h", null)!;
        Assert.Equal(4, block.Addresses.Count);
        Assert.Null(BlockEdits.Assign(block.Updated, 1, "h", null));
    }

    [Fact]
    public void ReleaseByHandleFreesOnlyThatHandleAndCompactsAttributes()
    {
        var block = BlockEdits.NewBlock(Cidr, null, Now);
        block = BlockEdits.Assign(block, 2, "a", new Dictionary<string, string> { ["pod"] = "a" })!.Updated;
        block = BlockEdits.Assign(block, 3, "b", new Dictionary<string, string> { ["pod"] = "b" })!.Updated;

        var result = BlockEdits.ReleaseByHandle(block, "a");

        Assert.Equal(2, result.Released.Count);
        Assert.Equal(2, result.ReleasedPerHandle["a"]);
        var view = new BlockView(result.Updated!);
        Assert.Equal(3, view.InUse);
        Assert.Single(result.Updated!.Spec.Attributes);
        Assert.All(view.Allocated(), a => Assert.Equal("b", a.Attribute!.HandleId));
        Assert.Empty(view.CheckInvariants());
    }

    [Fact]
    public void IPv6BlockOrdinalsMapToAddresses()
    {
        var block = BlockEdits.NewBlock(IPNetwork.Parse("2001:db8::ffc0/122"), null, Now);
        var result = BlockEdits.Assign(block, 2, "h", null)!;
        Assert.Equal(["2001:db8::ffc0", "2001:db8::ffc1"], result.Addresses.Select(a => a.ToString()));
    }

    /// <summary>
    /// Property: any sequence of assigns and releases keeps allocated + free = size, no ordinal
    /// twice, attribute indices valid, per-handle counts equal to a simple model, and sequence
    /// numbers strictly increasing with every write.
    /// </summary>
    [Theory]
    [InlineData("198.18.0.0/26")]
    [InlineData("198.18.0.0/29")]
    [InlineData("2001:db8::/122")]
    public void RandomOperationSequencesKeepTheInvariants(string cidr)
    {
        var network = IPNetwork.Parse(cidr);
        for (var seed = 0; seed < 150; seed++)
        {
            var random = new Random(seed);
            var block = BlockEdits.NewBlock(network, null, Now);
            var model = new Dictionary<string, string>(); // address -> handle
            var handles = new[] { "h0", "h1", "h2", "h3" };
            for (var step = 0; step < 200; step++)
            {
                var before = block.Spec.SequenceNumber;
                var handle = handles[random.Next(handles.Length)];
                switch (random.Next(4))
                {
                    case 0 or 1:
                        var assigned = BlockEdits.Assign(block, random.Next(1, 6), handle, new Dictionary<string, string> { ["pod"] = handle });
                        if (assigned is null)
                        {
                            Assert.Equal(model.Count, block.Spec.Allocations.Count);
                            break;
                        }

                        foreach (var address in assigned.Addresses)
                        {
                            Assert.True(model.TryAdd(address.ToString(), handle), $"seed {seed}: {address} handed out twice");
                        }

                        block = assigned.Updated;
                        break;
                    case 2 when model.Count > 0:
                        var victims = model.Keys.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList();
                        var released = BlockEdits.Release(block, victims.Select(v => new ReleaseRequest(IPAddress.Parse(v))).ToList());
                        Assert.Equal(victims.Count, released.Released.Count);
                        victims.ForEach(v => model.Remove(v));
                        block = released.Updated!;
                        break;
                    case 3:
                        var byHandle = BlockEdits.ReleaseByHandle(block, handle);
                        var owned = model.Where(kv => kv.Value == handle).Select(kv => kv.Key).ToList();
                        Assert.Equal(owned.Count, byHandle.Released.Count);
                        owned.ForEach(v => model.Remove(v));
                        block = byHandle.Updated ?? block;
                        break;
                }

                var view = new BlockView(block);
                Assert.Empty(view.CheckInvariants());
                Assert.Equal(model.Count, view.InUse);
                Assert.Equal(view.Size, view.InUse + view.Free);
                Assert.True(block.Spec.SequenceNumber >= before);
                foreach (var h in handles)
                {
                    Assert.Equal(model.Count(kv => kv.Value == h), view.CountForHandle(h));
                }
            }
        }
    }
}
