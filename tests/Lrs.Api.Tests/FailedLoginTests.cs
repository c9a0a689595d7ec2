using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Lrs.Api.Auth;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Tests;

/// <summary>
/// Failed Basic logins are limited per client address: beyond the limit, credentials that never passed get 429 with
/// Retry-After without being checked, while credentials that passed before keep working.
/// </summary>
public abstract class FailedLoginTests(LrsFixture lrs)
{
    private HttpClient From(string address, string key, string secret)
    {
        var client = lrs.Client("2.0.0", key, secret);
        client.DefaultRequestHeaders.Add(ClientAddress.Header, address);
        return client;
    }

    private static string NewAddress() => $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";

    private async Task<(string Key, string Secret)> NewCredentialAsync()
    {
        var administration = lrs.Services.GetRequiredService<Lrs.Api.Admin.Administration>();
        var tenant = await lrs.Services.GetRequiredService<Lrs.Core.Storage.ICredentialStore>().EnsureTenantAsync("default", default);
        var (credential, secret) = await administration.IssueCredentialAsync(tenant, "tool", ["statements/read"], null, "http://localhost:8080", "test", default);
        return (credential.Key, secret);
    }

    [Fact]
    public async Task Beyond_the_limit_an_address_gets_429_for_unverified_credentials_while_known_good_ones_and_other_addresses_keep_working()
    {
        var address = NewAddress();
        var (goodKey, goodSecret) = await NewCredentialAsync();
        var (unusedKey, unusedSecret) = await NewCredentialAsync();
        var good = From(address, goodKey, goodSecret);
        (await good.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);

        var guesser = From(address, goodKey, "guess");
        for (var i = 0; i < 3; i++)
            (await guesser.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, $"failure {i + 1} of 3 allowed");

        var refused = await guesser.GetAsync("/xapi/statements?limit=1");
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter!.Delta.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(1));
        (await refused.Content.ReadAsStringAsync()).Should().Contain("failed logins");
        var malformed = lrs.Client("2.0.0");
        malformed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "not base64!");
        malformed.DefaultRequestHeaders.Add(ClientAddress.Header, address);
        (await malformed.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        (await good.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK, "a credential that passed before is no guesser");
        (await From(address, unusedKey, unusedSecret).GetAsync("/xapi/statements?limit=1")).StatusCode
            .Should().Be(HttpStatusCode.TooManyRequests, "a credential never verified is not checked while the address is refused");
        (await From(NewAddress(), unusedKey, unusedSecret).GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK, "other addresses are not affected");
        (await From(NewAddress(), goodKey, "guess").GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Requests_without_credentials_are_not_refused_for_an_address_over_the_limit()
    {
        var address = NewAddress();
        var guesser = From(address, "no-such-key", "guess");
        for (var i = 0; i < 4; i++) await guesser.GetAsync("/xapi/statements?limit=1");

        var anonymous = lrs.CreateClient();
        anonymous.DefaultRequestHeaders.Add(ClientAddress.Header, address);
        anonymous.DefaultRequestHeaders.Add("X-Experience-API-Version", "2.0.0");
        (await anonymous.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync("/xapi/about")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}

/// <summary>The window itself, with a clock the test moves: refusal ends when the minute of the failures is over.</summary>
public sealed class FailedLoginWindowTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void An_address_is_refused_from_the_limit_until_its_minute_is_over_then_counted_afresh()
    {
        var clock = new ManualClock();
        var logins = new FailedLogins(Options.Create(new LrsOptions { Limits = { FailedLoginsPerMinute = 2 } }), clock);
        var address = IPAddress.Parse("192.0.2.7");

        logins.Record(address);
        logins.RetryAfter(address).Should().BeNull();
        clock.Now += TimeSpan.FromSeconds(20);
        logins.Record(address);
        logins.RetryAfter(address).Should().Be(TimeSpan.FromSeconds(40));
        logins.RetryAfter(IPAddress.Parse("::ffff:192.0.2.7")).Should().NotBeNull("IPv4 over IPv6 is the same client");
        logins.RetryAfter(IPAddress.Parse("192.0.2.8")).Should().BeNull();

        clock.Now += TimeSpan.FromSeconds(40);
        logins.RetryAfter(address).Should().BeNull();
        logins.Record(address);
        logins.RetryAfter(address).Should().BeNull("the count starts again in a new window");
    }

    [Fact]
    public void A_limit_of_0_turns_the_refusal_off()
    {
        var logins = new FailedLogins(Options.Create(new LrsOptions { Limits = { FailedLoginsPerMinute = 0 } }), TimeProvider.System);
        for (var i = 0; i < 100; i++) logins.Record(IPAddress.Loopback);
        logins.RetryAfter(IPAddress.Loopback).Should().BeNull();
    }
}

/// <summary>Lets a test request name its client address (header <see cref="Header"/>), as if it came from there.</summary>
public sealed class ClientAddress : Microsoft.AspNetCore.Hosting.IStartupFilter
{
    public const string Header = "X-Test-Client-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (context.Request.Headers[Header] is [{ } address]) context.Connection.RemoteIpAddress = IPAddress.Parse(address);
            await nextMiddleware(context);
        });
        next(app);
    };
}

public sealed class FailedLoginLimit : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Lrs:Limits:FailedLoginsPerMinute"] = "3" };

    public static void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, ClientAddress>());
}

public sealed class FailedLoginTestsOnSqlite(SqliteLrs<FailedLoginLimit> lrs) : FailedLoginTests(lrs), IClassFixture<SqliteLrs<FailedLoginLimit>>;
public sealed class FailedLoginTestsOnPostgres(PostgresLrs<FailedLoginLimit> lrs) : FailedLoginTests(lrs), IClassFixture<PostgresLrs<FailedLoginLimit>>;
