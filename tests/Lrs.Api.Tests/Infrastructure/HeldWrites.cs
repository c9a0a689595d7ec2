using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Lrs.Api.Tests.Infrastructure;

/// <summary>
/// The real statement store with a hold in front of it: once armed, the next write waits before it reaches the store
/// until released, so that a test can look at the LRS while that write is in flight. Everything is stored as usual.
/// </summary>
public sealed class HeldWrites(IStatementStore inner) : IStatementStore
{
    private readonly Lock _lock = new();
    private TaskCompletionSource<IReadOnlyList<PreparedStatement>>? _held;
    private TaskCompletionSource? _release;

    /// <summary>
    /// A second LRS over the fixture's database whose statement writes pass through a hold; dispose it after the test.
    /// Clients of the fixture's credentials work on it (<see cref="ClientLike"/>).
    /// </summary>
    public static (WebApplicationFactory<Program> Lrs, HeldWrites Hold) Over(LrsFixture fixture)
    {
        HeldWrites? hold = null;
        var lrs = fixture.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddSingleton<IStatementStore>(sp => hold = new HeldWrites(sp.GetRequiredService<Hosting.LrsStore>().Statements))));
        _ = lrs.Services.GetRequiredService<IStatementStore>();
        return (lrs, hold!);
    }

    /// <summary>A client of <paramref name="lrs"/> with the credential and xAPI version of <paramref name="client"/>.</summary>
    public static HttpClient ClientLike(WebApplicationFactory<Program> lrs, HttpClient client)
    {
        var copy = lrs.CreateClient();
        foreach (var header in client.DefaultRequestHeaders) copy.DefaultRequestHeaders.TryAddWithoutValidation(header.Key, header.Value);
        return copy;
    }

    /// <summary>Holds the next write; the task completes with its statements once it waits.</summary>
    public Task<IReadOnlyList<PreparedStatement>> HoldNext()
    {
        lock (_lock)
        {
            _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _held.Task;
        }
    }

    /// <summary>Lets the held write go on to the store.</summary>
    public void Release()
    {
        lock (_lock) _release?.TrySetResult();
    }

    /// <inheritdoc />
    public async Task<StoreOutcome> StoreAsync(long tenantId, IReadOnlyList<PreparedStatement> batch, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct)
    {
        Task? wait = null;
        lock (_lock)
        {
            if (_held is { Task.IsCompleted: false } held)
            {
                held.TrySetResult(batch);
                wait = _release!.Task;
            }
        }
        if (wait is not null) await wait;
        return await inner.StoreAsync(tenantId, batch, attachments, ct);
    }

    /// <inheritdoc />
    public Task<StoredStatement?> GetAsync(long tenantId, Guid id, CancellationToken ct) => inner.GetAsync(tenantId, id, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredStatement>> QueryAsync(long tenantId, StatementQuery query, CancellationToken ct) => inner.QueryAsync(tenantId, query, ct);

    /// <inheritdoc />
    public Task<AttachmentContent?> GetAttachmentAsync(long tenantId, string sha2, CancellationToken ct) => inner.GetAttachmentAsync(tenantId, sha2, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredStatement>> NamingAgentsAsync(long tenantId, IReadOnlyCollection<string> agentKeys, string? organisation,
        StatementPosition? after, int limit, CancellationToken ct) => inner.NamingAgentsAsync(tenantId, agentKeys, organisation, after, limit, ct);

    public Task<IReadOnlyList<AgentStatement>> OfAgentsOnActivitiesAsync(long tenantId, IReadOnlyCollection<string> agentKeys, IReadOnlyCollection<string> activityIds,
        int limit, CancellationToken ct) => inner.OfAgentsOnActivitiesAsync(tenantId, agentKeys, activityIds, limit, ct);
}
