namespace Tabby.Testing;

/// <summary>Polling with a bound: tests wait for real daemons, never sleep a fixed time.</summary>
public static class Wait
{
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Polls <paramref name="condition"/> until it is true or <paramref name="timeout"/> passes, then
    /// throws a <see cref="TimeoutException"/> that says what was awaited and, via
    /// <paramref name="diagnostics"/>, what the world looked like at the end.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what,
        Func<Task<string>>? diagnostics = null, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }

                last = null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = e;
            }

            if (DateTime.UtcNow >= deadline)
            {
                var detail = diagnostics is null ? "" : "\n" + await diagnostics().ConfigureAwait(false);
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}{detail}", last);
            }

            await Task.Delay(poll ?? DefaultPoll).ConfigureAwait(false);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what,
            diagnostics is null ? null : () => Task.FromResult(diagnostics()));
}
