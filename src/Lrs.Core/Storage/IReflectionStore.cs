using System.Text.Json.Nodes;
using Lrs.Core.Reflection;

namespace Lrs.Core.Storage;

/// <summary>One attendee of a group reflection.</summary>
/// <param name="PersonId">The person, when the agent belongs to one.</param>
/// <param name="Agent">The agent (the actor of the attendance statement).</param>
/// <param name="StatementId">The <c>attended</c> statement.</param>
public sealed record GroupAttendee(string? PersonId, JsonObject Agent, Guid StatementId);

/// <summary>A group reflection held at a unit's workplace meeting (APT).</summary>
/// <param name="Id">Its id (part of the meeting activity's IRI).</param>
/// <param name="UnitId">The unit.</param>
/// <param name="HeldAt">When the meeting took place.</param>
/// <param name="Facilitator">Who led it (an agent).</param>
/// <param name="TemplateIds">The group templates discussed.</param>
/// <param name="Attendees">Who attended, each with their attendance statement.</param>
/// <param name="Notes">The group's notes, if any.</param>
/// <param name="Recorded">When it was recorded.</param>
public sealed record GroupReflection(Guid Id, string UnitId, DateTimeOffset HeldAt, JsonObject Facilitator, IReadOnlyList<string> TemplateIds,
    IReadOnlyList<GroupAttendee> Attendees, string? Notes, DateTimeOffset Recorded);

/// <summary>Dates of a unit's learning and reflection, for the monthly follow-up.</summary>
/// <param name="TrainingsCompleted">When each training (a statement giving the unit's current members evidence) was achieved.</param>
/// <param name="ReflectionsAnswered">When each of the members' tasks was answered.</param>
/// <param name="GroupReflections">When each of the unit's group reflections was held, with how many attended.</param>
public sealed record UnitReflectionActivity(IReadOnlyList<DateTimeOffset> TrainingsCompleted, IReadOnlyList<DateTimeOffset> ReflectionsAnswered,
    IReadOnlyList<(DateTimeOffset HeldAt, int Attendees)> GroupReflections);

/// <summary>
/// Reflection tasks and group reflections. Tasks are created, answered and cancelled by the statement store in the
/// transactions of the statements that trigger, answer and void them; this store reads them and records group
/// reflections.
/// </summary>
public interface IReflectionStore
{
    /// <summary>One task with its answers, or null when the tenant has none with this id.</summary>
    Task<ReflectionTask?> GetAsync(long tenantId, Guid taskId, CancellationToken ct);

    /// <summary>Tasks matching the query with their answers, ordered by (updated, id), at most <see cref="ReflectionTaskQuery.Limit"/>.</summary>
    Task<IReadOnlyList<ReflectionTask>> ListAsync(long tenantId, ReflectionTaskQuery query, CancellationToken ct);

    /// <summary>
    /// Stores a group reflection and marks the attendees' open tasks of its templates answered (discussed at it), in one
    /// transaction. False, storing nothing, when a group reflection with this id exists already.
    /// </summary>
    Task<bool> RecordGroupReflectionAsync(long tenantId, GroupReflection reflection, CancellationToken ct);

    /// <summary>One group reflection, or null.</summary>
    Task<GroupReflection?> GetGroupReflectionAsync(long tenantId, Guid id, CancellationToken ct);

    /// <summary>The unit's group reflections held in [<paramref name="from"/>, <paramref name="to"/>), newest first.</summary>
    Task<IReadOnlyList<GroupReflection>> GroupReflectionsAsync(long tenantId, string unitId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <summary>The unit's trainings, answered tasks and group reflections in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    Task<UnitReflectionActivity> UnitActivityAsync(long tenantId, string unitId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}

/// <summary>Reading every page of a task query.</summary>
public static class ReflectionStoreExtensions
{
    /// <summary>Every task matching <paramref name="query"/> (its <see cref="ReflectionTaskQuery.Limit"/> is the page size), page by page.</summary>
    public static async Task<List<ReflectionTask>> ListAllAsync(this IReflectionStore store, long tenantId, ReflectionTaskQuery query, CancellationToken ct)
    {
        var all = new List<ReflectionTask>();
        while (true)
        {
            var page = await store.ListAsync(tenantId, query, ct);
            all.AddRange(page);
            if (page.Count < query.Limit) return all;
            query = query with { After = (page[^1].Updated, page[^1].Id) };
        }
    }
}
