using Lrs.Core.Planning;

namespace Lrs.Core.Storage;

/// <summary>Storage of competence planning: units' deviation reports, units' development plans, people's training plans.</summary>
public interface IPlanningStore
{
    /// <summary>Records a deviation report (its statement is stored already); false when a report with its id exists.</summary>
    Task<bool> RecordDeviationAsync(long tenantId, DeviationReport report, CancellationToken ct);

    /// <summary>
    /// The unit's deviation reports dated in [<paramref name="from"/>, <paramref name="to"/>], oldest first, leaving out those
    /// whose statement is voided.
    /// </summary>
    Task<IReadOnlyList<DeviationReport>> DeviationsAsync(long tenantId, string unitId, DateOnly from, DateOnly to, CancellationToken ct);

    /// <summary>The unit's deviation reports logged against rows of one of its plans, oldest first, leaving out voided ones.</summary>
    Task<IReadOnlyList<DeviationReport>> DeviationsOfPlanAsync(long tenantId, string unitId, string planId, CancellationToken ct);

    /// <summary>A unit's plan, or null.</summary>
    Task<StoredUnitPlan?> GetPlanAsync(long tenantId, string unitId, string planId, CancellationToken ct);

    /// <summary>Creates or replaces a unit's plan; its version goes up by one with every change (1 when created).</summary>
    Task<StoredUnitPlan> PutPlanAsync(long tenantId, string unitId, string planId, UnitPlan plan, DateTimeOffset now, CancellationToken ct);

    /// <summary>A person's training plan, or null.</summary>
    Task<StoredTrainingPlan?> GetTrainingPlanAsync(long tenantId, string personId, CancellationToken ct);

    /// <summary>Creates or replaces a person's training plan; its version goes up by one with every change (1 when created).</summary>
    Task<StoredTrainingPlan> PutTrainingPlanAsync(long tenantId, string personId, TrainingPlan plan, DateTimeOffset now, CancellationToken ct);

    /// <summary>The training plans of the given people (those who have one), in one query.</summary>
    Task<IReadOnlyList<StoredTrainingPlan>> TrainingPlansAsync(long tenantId, IReadOnlyCollection<string> personIds, CancellationToken ct);

    /// <summary>The ids of everyone whose history places them in the unit at some time, ordered.</summary>
    Task<IReadOnlyList<string>> PeopleEverInUnitAsync(long tenantId, string unitId, CancellationToken ct);
}

/// <summary>A unit's plan as stored.</summary>
/// <param name="UnitId">The unit.</param>
/// <param name="Id">The plan's id within the unit.</param>
/// <param name="Plan">The plan.</param>
/// <param name="Version">1 when created, one more with every change.</param>
/// <param name="Updated">When it last changed.</param>
public sealed record StoredUnitPlan(string UnitId, string Id, UnitPlan Plan, long Version, DateTimeOffset Updated);

/// <summary>A person's training plan as stored.</summary>
/// <param name="PersonId">The person.</param>
/// <param name="Plan">The plan.</param>
/// <param name="Version">1 when created, one more with every change.</param>
/// <param name="Updated">When it last changed.</param>
public sealed record StoredTrainingPlan(string PersonId, TrainingPlan Plan, long Version, DateTimeOffset Updated);
