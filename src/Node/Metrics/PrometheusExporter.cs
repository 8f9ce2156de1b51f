using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Tabby.Node.Metrics;

/// <summary>
/// Exposes System.Diagnostics.Metrics instruments in the Prometheus text format (version 0.0.4):
/// counters as <c>_total</c>, up-down counters and gauges as gauges, histograms with cumulative
/// buckets, <c>_sum</c> and <c>_count</c>. Instrument names have '.' and '-' turned into '_' and
/// the unit appended when it is seconds or bytes. (prometheus-net is not obtainable here.)
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly Dictionary<Instrument, Series> _series = [];
    private readonly Lock _gate = new();

    /// <param name="includeMeter">Which meters to export (e.g. every meter whose name starts with "Tabby").</param>
    public PrometheusExporter(Func<Meter, bool> includeMeter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (includeMeter(instrument.Meter))
            {
                lock (_gate)
                {
                    _series[instrument] = new Series(instrument);
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_gate)
            {
                _series.Remove(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The content type Prometheus expects for this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        lock (_gate)
        {
            foreach (var series in _series.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                series.Write(text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = LabelKey(tags);
        lock (_gate)
        {
            if (_series.TryGetValue(instrument, out var series))
            {
                series.Add(key, value);
            }
        }
    }

    private static string LabelKey(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new List<KeyValuePair<string, object?>>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add(tag);
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return string.Join(",", pairs.Select(p => $"{SanitizeName(p.Key)}=\"{Escape(Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? "")}\""));
    }

    internal static string SanitizeName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':' ? c : '_');
        }

        if (builder.Length > 0 && char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : value.ToString(CultureInfo.InvariantCulture);

    private enum Kind
    {
        Counter,
        Gauge,
        Histogram,
    }

    private sealed class Series
    {
        private readonly Kind _kind;
        private readonly bool _cumulativeObservations;
        private readonly double[] _buckets;
        private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (long[] Counts, double Sum, long Count)> _histograms = new(StringComparer.Ordinal);
        private readonly string? _help;

        public Series(Instrument instrument)
        {
            var type = instrument.GetType();
            var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            (_kind, _cumulativeObservations) = generic switch
            {
                _ when generic == typeof(Counter<>) => (Kind.Counter, false),
                _ when generic == typeof(ObservableCounter<>) => (Kind.Counter, true),
                _ when generic == typeof(UpDownCounter<>) => (Kind.Gauge, false),
                _ when generic == typeof(Histogram<>) => (Kind.Histogram, false),
                _ => (Kind.Gauge, true), // Gauge<>, ObservableGauge<>, ObservableUpDownCounter<>
            };
            var unit = instrument.Unit switch
            {
                "s" => "_seconds",
                "By" => "_bytes",
                _ => "",
            };
            var baseName = SanitizeName(instrument.Name) + (SanitizeName(instrument.Name).EndsWith(unit, StringComparison.Ordinal) ? "" : unit);
            Name = _kind == Kind.Counter && !baseName.EndsWith("_total", StringComparison.Ordinal) ? baseName + "_total" : baseName;
            _help = instrument.Description;
            _buckets = DefaultBuckets;
        }

        public string Name { get; }

        public void Add(string labels, double value)
        {
            switch (_kind)
            {
                case Kind.Histogram:
                    var (counts, sum, count) = _histograms.TryGetValue(labels, out var h) ? h : (new long[_buckets.Length], 0d, 0L);
                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        if (value <= _buckets[i])
                        {
                            counts[i]++;
                        }
                    }

                    _histograms[labels] = (counts, sum + value, count + 1);
                    break;
                default:
                    _values[labels] = _cumulativeObservations ? value : _values.GetValueOrDefault(labels) + value;
                    break;
            }
        }

        public void Write(StringBuilder text)
        {
            if (_values.Count == 0 && _histograms.Count == 0)
            {
                return;
            }

            if (!string.IsNullOrEmpty(_help))
            {
                text.Append("# HELP ").Append(Name).Append(' ').Append(_help.Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
            }

            text.Append("# TYPE ").Append(Name).Append(' ').Append(_kind switch
            {
                Kind.Counter => "counter",
                Kind.Histogram => "histogram",
                _ => "gauge",
            }).Append('\n');
            foreach (var (labels, value) in _values.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                text.Append(Name).Append(labels.Length > 0 ? "{" + labels + "}" : "").Append(' ').Append(Format(value)).Append('\n');
            }

            foreach (var (labels, (counts, sum, count)) in _histograms.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                var prefix = labels.Length > 0 ? labels + "," : "";
                for (var i = 0; i < _buckets.Length; i++)
                {
                    text.Append(Name).Append("_bucket{").Append(prefix).Append("le=\"").Append(Format(_buckets[i])).Append("\"} ")
                        .Append(counts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                text.Append(Name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                var suffix = labels.Length > 0 ? "{" + labels + "}" : "";
                text.Append(Name).Append("_sum").Append(suffix).Append(' ').Append(Format(sum)).Append('\n');
                text.Append(Name).Append("_count").Append(suffix).Append(' ').Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }
}
