using System.Buffers;
using System.Text.Json;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Formatting;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Tests.Wire;

/// <summary>
/// Mutates the captured messages (bit flips, truncation, rewritten length fields, inserted and
/// deleted bytes) for a fixed number of iterations with a fixed seed, and checks that only the
/// documented outcomes occur: a decoded message (UPDATE handling at most treat-as-withdraw), or a
/// <see cref="BgpProtocolException"/> carrying a session-reset error with a defined error code.
/// Any other exception (index out of range, overflow, null reference) fails the test.
/// </summary>
public class MutationFuzzTests
{
    private const int Iterations = 50_000;

    [Fact]
    public void MutatedCapturesOnlyProduceDocumentedOutcomes()
    {
        var random = new Random(20261121);
        var corpus = Directory.GetFiles(Hex.TestData("captures"), "*.hex")
            .SelectMany(f => File.ReadAllLines(f).Where(l => l.Length > 0).Select(Hex.Bytes))
            .Concat(MalformedCorpusTests.Load().Select(c => c.Message))
            .ToArray();
        BgpSessionOptions[] options =
        [
            BgpSessionOptions.Default,
            new() { FourOctetAs = true },
            new() { FourOctetAs = true, AddPath = AddPathFamilies.Ipv4Unicast | AddPathFamilies.Ipv6Unicast },
            new() { ExtendedMessage = true, AddPath = AddPathFamilies.Ipv4Unicast },
        ];
        var interner = new AttributeSetInterner();
        int decoded = 0, reset = 0, treatAsWithdraw = 0;
        for (int i = 0; i < Iterations; i++)
        {
            var input = Mutate(corpus[random.Next(corpus.Length)], random);
            var opts = options[random.Next(options.Length)];
            // Differential: the interner's encoded-bytes fast path must not change any outcome.
            Assert.Equal(Render(input, opts, null), Render(input, opts, interner));
            switch (Outcome(input, opts))
            {
                case ErrorHandling.SessionReset: reset++; break;
                case ErrorHandling.TreatAsWithdraw: treatAsWithdraw++; decoded++; break;
                default: decoded++; break;
            }
        }

        // The mutations must exercise both sides, or the test proves little.
        Assert.True(decoded > Iterations / 20, $"decoded {decoded}");
        Assert.True(reset > Iterations / 20, $"reset {reset}");
        Assert.True(treatAsWithdraw > 0, "no treat-as-withdraw outcome");
    }

    /// <summary>Everything observable about decoding <paramref name="input"/>, as text.</summary>
    private static string Render(byte[] input, BgpSessionOptions options, AttributeSetInterner? interner)
    {
        var buffer = new ReadOnlySequence<byte>(input);
        var text = new System.Text.StringBuilder();
        try
        {
            while (BgpFrameReader.TryRead(ref buffer, options, out var frame))
            {
                var message = BgpMessageDecoder.Decode(frame, options, interner);
                using var stream = new MemoryStream();
                using (var json = new Utf8JsonWriter(stream)) BgpJsonFormatter.WriteMessage(json, message, frame.Length);
                text.Append(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
            }
        }
        catch (BgpProtocolException e)
        {
            text.Append($"reset {e.Error.Code}/{e.Error.Subcode} {Convert.ToHexString(e.Error.Data.Span)}");
        }

        return text.ToString();
    }

    private static ErrorHandling Outcome(byte[] input, BgpSessionOptions options)
    {
        var buffer = new ReadOnlySequence<byte>(input);
        var worst = ErrorHandling.None;
        try
        {
            while (BgpFrameReader.TryRead(ref buffer, options, out var frame))
            {
                var message = BgpMessageDecoder.Decode(frame, options);
                if (message is UpdateMessage update)
                {
                    Assert.True(update.Handling < ErrorHandling.SessionReset);
                    Assert.All(update.Errors, e => Assert.InRange(e.Code, (byte)1, (byte)7));
                    foreach (var _ in update.Withdrawn) { }
                    foreach (var _ in update.Nlri) { }
                    if (update.MpReach is { } r) foreach (var _ in r) { }
                    if (update.MpUnreach is { } u) foreach (var _ in u) { }
                    if (update.Handling > worst) worst = update.Handling;
                }

                // Formatting and re-encoding decoded input must not fail either.
                using var json = new Utf8JsonWriter(Stream.Null);
                BgpJsonFormatter.WriteMessage(json, message, frame.Length);
                try
                {
                    BgpMessageWriter.ToBytes(message, options);
                }
                catch (MessageTooLargeException)
                {
                    // Re-encoding may legitimately grow a message past the maximum (e.g. minimal attribute lengths differ).
                }
            }

            return worst;
        }
        catch (BgpProtocolException e)
        {
            Assert.Equal(ErrorHandling.SessionReset, e.Error.Handling);
            Assert.InRange(e.Error.Code, (byte)1, (byte)7);
            Assert.DoesNotContain("Unknown", e.Error.SubcodeName, StringComparison.Ordinal);
            BgpMessageWriter.ToBytes(e.Error.ToNotification());
            return ErrorHandling.SessionReset;
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var data = original.ToList();
        int mutations = 1 + random.Next(3);
        for (int m = 0; m < mutations && data.Count > 0; m++)
        {
            switch (random.Next(6))
            {
                case 0: // flip a bit anywhere after the marker
                    {
                        int at = random.Next(Math.Min(16, data.Count - 1), data.Count);
                        data[at] ^= (byte)(1 << random.Next(8));
                        break;
                    }

                case 1: // truncate, fixing the message length so framing succeeds
                    {
                        int keep = random.Next(19, Math.Max(20, data.Count));
                        data = data.Take(keep).ToList();
                        if (data.Count >= 19)
                        {
                            data[16] = (byte)(data.Count >> 8);
                            data[17] = (byte)data.Count;
                        }

                        break;
                    }

                case 2: // rewrite a 1- or 2-byte field inside the body with a random value
                    {
                        if (data.Count <= 20) break;
                        int at = random.Next(19, data.Count - 1);
                        data[at] = (byte)random.Next(256);
                        if (random.Next(2) == 0) data[at + 1] = (byte)random.Next(256);
                        break;
                    }

                case 3: // set a byte to a boundary value (lengths: 0, 255, max prefix lengths)
                    {
                        int at = random.Next(19, Math.Max(20, data.Count));
                        if (at < data.Count) data[at] = new byte[] { 0, 1, 32, 33, 128, 129, 255 }[random.Next(7)];
                        break;
                    }

                case 4: // insert or delete a byte, keeping the header length consistent
                    {
                        int at = random.Next(19, data.Count + 1);
                        if (random.Next(2) == 0) data.Insert(at, (byte)random.Next(256));
                        else if (at < data.Count) data.RemoveAt(at);
                        data[16] = (byte)(data.Count >> 8);
                        data[17] = (byte)data.Count;
                        break;
                    }

                default: // corrupt the header length
                    if (data.Count >= 18)
                    {
                        int length = random.Next(0, 70000);
                        data[16] = (byte)(length >> 8);
                        data[17] = (byte)length;
                    }

                    break;
            }
        }

        return data.ToArray();
    }
}
