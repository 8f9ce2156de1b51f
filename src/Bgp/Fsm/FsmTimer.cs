namespace Tabby.Bgp.Fsm;

/// <summary>
/// A one-shot timer on a <see cref="TimeProvider"/> (so tests drive time). Each start bumps a
/// generation; a callback from an earlier start is ignored, so a stopped or restarted timer
/// never fires late.
/// </summary>
internal sealed class FsmTimer(TimeProvider time, string name, Action<FsmTimer, int> onExpired) : IDisposable
{
    private ITimer? _timer;
    private int _generation;

    public string Name { get; } = name;

    public bool IsRunning { get; private set; }

    public TimeSpan Interval { get; private set; }

    public int Generation => _generation;

    public void Start(TimeSpan after)
    {
        Stop();
        int generation = ++_generation;
        Interval = after;
        IsRunning = true;
        _timer = time.CreateTimer(_ => onExpired(this, generation), null, after, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Marks the timer expired (called by the FSM when it handles the callback).</summary>
    public void Expired() => IsRunning = false;

    public void Stop()
    {
        _generation++;
        IsRunning = false;
        _timer?.Dispose();
        _timer = null;
    }

    public void Dispose() => Stop();
}
