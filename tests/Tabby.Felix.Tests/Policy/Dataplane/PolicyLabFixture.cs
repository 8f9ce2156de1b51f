using Tabby.Testing;

namespace Tabby.Felix.Tests.Policy.Dataplane;

/// <summary>
/// One lab for all matrix tests of a class. Before any policy exists it checks that every cell
/// connects, so a later "denied" can only come from the ruleset, never from a broken network.
/// </summary>
public sealed class PolicyLabFixture : IDisposable
{
    private PolicyLab? _lab;

    public PolicyLab Lab => _lab ??= Create();

    public void Dispose() => _lab?.Dispose();

    private static PolicyLab Create()
    {
        if (!Privileges.IsRoot)
        {
            throw new InvalidOperationException(Privileges.NotRootReason);
        }

        var lab = new PolicyLab();
        try
        {
            var cells = ConnectivityMatrix.Cells().ToList();
            var results = Task.WhenAll(cells.Select(c => ConnectivityMatrix.ProbeAsync(lab, c, TimeSpan.FromSeconds(8)))).GetAwaiter().GetResult();
            var broken = cells.Where((_, i) => !results[i]).ToList();
            if (broken.Count > 0)
            {
                throw new InvalidOperationException("lab network is broken before any policy: " + string.Join("; ", broken));
            }

            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }
}
