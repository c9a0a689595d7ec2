using Lrs.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Lrs.Api.Tests;

/// <summary>A widely used xAPI client library from npm against the LRS on a real Kestrel socket.</summary>
public abstract class ClientLibraryTests(LrsFixture lrs, ITestOutputHelper output)
{
    [Fact]
    public async Task TinCanJS_stores_queries_with_more_and_uses_state_and_both_profiles()
    {
        var (code, text) = await NodeClients.RunAsync("tincan.js", lrs.KestrelAddress + "/xapi/", LrsFixture.Key, LrsFixture.Secret);
        output.WriteLine(text);
        code.Should().Be(0, text);
        text.Should().Contain("all passed");
    }
}

public sealed class ClientLibraryTestsOnSqlite(KestrelSqliteLrs lrs, ITestOutputHelper output) : ClientLibraryTests(lrs, output), IClassFixture<KestrelSqliteLrs>;
public sealed class ClientLibraryTestsOnPostgres(KestrelPostgresLrs lrs, ITestOutputHelper output) : ClientLibraryTests(lrs, output), IClassFixture<KestrelPostgresLrs>;
