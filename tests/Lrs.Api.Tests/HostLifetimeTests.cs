using Lrs.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lrs.Api.Tests;

/// <summary>
/// A host may stop its background services and dispose them in either order, or at once (a test server torn down while
/// it stops, a process ending): neither may throw, and a service stopped twice stays stopped.
/// </summary>
public abstract class HostLifetimeTests
{
    protected abstract LrsFixture NewLrs();

    [Fact]
    public async Task Every_background_service_can_be_stopped_and_disposed_in_any_order_and_at_once()
    {
        await using var lrs = NewLrs();
        (await lrs.Client().GetAsync("/xapi/about")).EnsureSuccessStatusCode();
        var services = lrs.Services.GetServices<IHostedService>().ToList();
        services.Should().Contain(s => s is Lrs.Api.Hosting.ConsistencyPublisher);

        // Stopped and disposed together, from several threads, several times; then the host stops them again as it is torn down.
        foreach (var service in services)
        {
            var racing = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                if (i % 2 == 0) await service.StopAsync(CancellationToken.None);
                else if (service is IAsyncDisposable disposable) await disposable.DisposeAsync();
                else if (service is IDisposable sync) sync.Dispose();
            }));
            await FluentActions.Awaiting(() => Task.WhenAll(racing)).Should().NotThrowAsync(service.GetType().Name);
            await FluentActions.Awaiting(() => service.StopAsync(CancellationToken.None)).Should().NotThrowAsync(service.GetType().Name);
        }
    }

    [Fact]
    public async Task The_consistency_exchange_stopped_while_it_is_disposed_never_throws()
    {
        // The window is a few instructions wide (a stop that found the exchange running cancels it after the disposal), so it
        // is opened many times over, on fresh instances.
        await using var lrs = NewLrs();
        for (var round = 0; round < 500; round++)
        {
            var publisher = ActivatorUtilities.CreateInstance<Lrs.Api.Hosting.ConsistencyPublisher>(lrs.Services);
            await publisher.StartAsync(CancellationToken.None);
            using var start = new Barrier(3);
            var stopping = Task.Run(() => { start.SignalAndWait(); return publisher.StopAsync(CancellationToken.None); });
            var disposing = Task.Run(() => { start.SignalAndWait(); return publisher.DisposeAsync().AsTask(); });
            var again = Task.Run(() => { start.SignalAndWait(); return publisher.StopAsync(CancellationToken.None); });
            await FluentActions.Awaiting(() => Task.WhenAll(stopping, disposing, again)).Should().NotThrowAsync($"round {round}");
        }
    }
}

public sealed class HostLifetimeTestsOnSqlite : HostLifetimeTests
{
    protected override LrsFixture NewLrs() => new SqliteLrs();
}

public sealed class HostLifetimeTestsOnPostgres : HostLifetimeTests
{
    protected override LrsFixture NewLrs() => new PostgresLrs();
}
