namespace Tabby.Datastore.Kubernetes;

/// <summary>
/// A token bucket rate limiter (client-go's default flow control): <c>rate</c> tokens per second,
/// up to <c>burst</c> saved; a request waits for a token.
/// </summary>
internal sealed class TokenBucket(double rate, int burst, TimeProvider time)
{
    private readonly Lock _gate = new();
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = time.GetTimestamp();
                _tokens = Math.Min(burst, _tokens + time.GetElapsedTime(_last, now).TotalSeconds * rate);
                _last = now;
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return;
                }

                wait = TimeSpan.FromSeconds((1 - _tokens) / rate);
            }

            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
