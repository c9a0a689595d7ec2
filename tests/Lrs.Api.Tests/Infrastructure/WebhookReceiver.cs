using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Lrs.Api.Tests.Infrastructure;

/// <summary>
/// A real webhook receiver: Kestrel on a loopback port chosen before it listens, so a subscription can point at it while it
/// is down. It checks every delivery's Standard Webhooks signature with the subscription's secret, as a receiver must, and
/// records what arrived in order.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>A delivery as received.</summary>
    public sealed record Delivery(string Id, long Timestamp, string Body, bool SignatureValid)
    {
        public JsonObject Event => JsonNode.Parse(Body)!.AsObject();
    }

    public WebhookReceiver() => Port = LrsProcess.FreePort();

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hooks/lrs";

    /// <summary>The secret deliveries are checked with (the one the subscription was created with).</summary>
    public string Secret { get; set; } = "";

    /// <summary>Wait this long before answering each delivery.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Every delivery in the order it arrived, duplicates included.</summary>
    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks/lrs", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var id = request.Headers["webhook-id"].ToString();
            var timestamp = long.Parse(request.Headers["webhook-timestamp"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            var valid = Verify(Secret, id, timestamp, body, request.Headers["webhook-signature"].ToString());
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay);
            Deliveries.Enqueue(new Delivery(id, timestamp, body, valid));
            return valid ? Results.NoContent() : Results.Unauthorized();
        });
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    /// <summary>The check of the Standard Webhooks specification: HMAC-SHA256 with the secret's bytes over id.timestamp.body, any v1 signature.</summary>
    public static bool Verify(string secret, string id, long timestamp, string body, string header)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        return header.Split(' ').Any(s => s.StartsWith("v1,", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s[3..]), Encoding.ASCII.GetBytes(expected)));
    }

    /// <summary>Waits until <paramref name="done"/> holds for what arrived, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<Delivery>, bool> done, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!done([.. Deliveries]))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"The receiver did not get {what} within {timeout}; it got {Deliveries.Count} deliveries.");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
