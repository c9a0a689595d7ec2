using System.Globalization;
using System.Text.Json;
using Lrs.Core.Planning;
using Lrs.Core.Storage;

namespace Lrs.Storage;

/// <summary>Deviation reports, unit plans and training plans.</summary>
public sealed class PlanningStore(Dialect db) : IPlanningStore
{
    private const string DateFormat = "yyyy-MM-dd";

    /// <inheritdoc />
    public async Task<bool> RecordDeviationAsync(long tenantId, DeviationReport report, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(null, ct);
        await using var command = write.Command($"""
            INSERT INTO unit_deviations (tenant_id, id, unit_id, statement_id, occurred_on, category, reference, competences, plan_id, plan_row, recorded)
            VALUES (@t, @id, @unit, @statement, @on, @category, @reference, @competences{db.AsJson}, @plan, @row, @recorded)
            ON CONFLICT DO NOTHING
            """, ("t", tenantId), ("id", db.Uuid(report.Id)), ("unit", report.UnitId), ("statement", db.Uuid(report.StatementId)),
            ("on", report.Date.ToString(DateFormat, CultureInfo.InvariantCulture)), ("category", report.Category), ("reference", report.Reference),
            ("competences", JsonSerializer.Serialize(report.Competences)), ("plan", report.PlanId), ("row", report.PlanRow), ("recorded", db.Time(report.Recorded)));
        if (await command.ExecuteNonQueryAsync(ct) == 0) return false;
        await write.CommitAsync(ct);
        return true;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DeviationReport>> DeviationsAsync(long tenantId, string unitId, DateOnly from, DateOnly to, CancellationToken ct) =>
        QueryDeviationsAsync("d.occurred_on >= @from AND d.occurred_on <= @to", ct, ("t", tenantId), ("unit", unitId),
            ("from", from.ToString(DateFormat, CultureInfo.InvariantCulture)), ("to", to.ToString(DateFormat, CultureInfo.InvariantCulture)));

    /// <inheritdoc />
    public Task<IReadOnlyList<DeviationReport>> DeviationsOfPlanAsync(long tenantId, string unitId, string planId, CancellationToken ct) =>
        QueryDeviationsAsync("d.plan_id = @plan", ct, ("t", tenantId), ("unit", unitId), ("plan", planId));

    /// <inheritdoc />
    public async Task<StoredUnitPlan?> GetPlanAsync(long tenantId, string unitId, string planId, CancellationToken ct) =>
        (await db.QueryAsync($"SELECT document{db.AsText}, version, updated FROM unit_plans WHERE tenant_id = @t AND unit_id = @unit AND id = @id",
            r => new StoredUnitPlan(unitId, planId, JsonSerializer.Deserialize<UnitPlan>(r.GetString(0), JsonSerializerOptions.Web)!, r.GetInt64(1), db.Time(r, 2)),
            ct, ("t", tenantId), ("unit", unitId), ("id", planId))).FirstOrDefault();

    /// <inheritdoc />
    public async Task<StoredUnitPlan> PutPlanAsync(long tenantId, string unitId, string planId, UnitPlan plan, DateTimeOffset now, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(null, ct);
        await using var command = write.Command($"""
            INSERT INTO unit_plans (tenant_id, unit_id, id, document, version, updated) VALUES (@t, @unit, @id, @document{db.AsJson}, 1, @now)
            ON CONFLICT (tenant_id, unit_id, id) DO UPDATE SET document = excluded.document, version = unit_plans.version + 1, updated = excluded.updated
            RETURNING version
            """, ("t", tenantId), ("unit", unitId), ("id", planId), ("document", JsonSerializer.Serialize(plan, JsonSerializerOptions.Web)), ("now", db.Time(now)));
        var version = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        await write.CommitAsync(ct);
        return new StoredUnitPlan(unitId, planId, plan, version, now);
    }

    /// <inheritdoc />
    public async Task<StoredTrainingPlan?> GetTrainingPlanAsync(long tenantId, string personId, CancellationToken ct) =>
        (await TrainingPlansAsync(tenantId, [personId], ct)).FirstOrDefault();

    /// <inheritdoc />
    public async Task<StoredTrainingPlan> PutTrainingPlanAsync(long tenantId, string personId, TrainingPlan plan, DateTimeOffset now, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(null, ct);
        await using var command = write.Command($"""
            INSERT INTO training_plans (tenant_id, person_id, document, version, updated) VALUES (@t, @person, @document{db.AsJson}, 1, @now)
            ON CONFLICT (tenant_id, person_id) DO UPDATE SET document = excluded.document, version = training_plans.version + 1, updated = excluded.updated
            RETURNING version
            """, ("t", tenantId), ("person", personId), ("document", JsonSerializer.Serialize(plan, JsonSerializerOptions.Web)), ("now", db.Time(now)));
        var version = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        await write.CommitAsync(ct);
        return new StoredTrainingPlan(personId, plan, version, now);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredTrainingPlan>> TrainingPlansAsync(long tenantId, IReadOnlyCollection<string> personIds, CancellationToken ct) =>
        personIds.Count == 0 ? [] : await db.QueryAsync($"""
            SELECT person_id, document{db.AsText}, version, updated FROM training_plans WHERE tenant_id = @t AND person_id{db.In("people")} ORDER BY person_id{db.Binary}
            """, r => new StoredTrainingPlan(r.GetString(0), JsonSerializer.Deserialize<TrainingPlan>(r.GetString(1), JsonSerializerOptions.Web)!, r.GetInt64(2), db.Time(r, 3)),
            ct, ("t", tenantId), ("people", db.List(personIds)));

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> PeopleEverInUnitAsync(long tenantId, string unitId, CancellationToken ct) =>
        await db.QueryAsync($"SELECT DISTINCT person_id{db.Binary} FROM person_assignments WHERE tenant_id = @t AND kind = 'unit' AND value = @unit ORDER BY 1",
            r => r.GetString(0), ct, ("t", tenantId), ("unit", unitId));

    private async Task<IReadOnlyList<DeviationReport>> QueryDeviationsAsync(string where, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        await db.QueryAsync($"""
            SELECT d.id, d.unit_id, d.occurred_on, d.category, d.reference, d.competences{db.AsText}, d.plan_id, d.plan_row, d.statement_id, d.recorded
            FROM unit_deviations d
            WHERE d.tenant_id = @t AND d.unit_id = @unit AND {where}
              AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.tenant_id = d.tenant_id AND s.id = d.statement_id AND s.voided)
            ORDER BY d.occurred_on, d.id
            """, r => new DeviationReport(db.Uuid(r, 0), r.GetString(1), DateOnly.ParseExact(r.GetString(2), DateFormat, CultureInfo.InvariantCulture),
                r.GetString(3), r.GetString(4), JsonSerializer.Deserialize<string[]>(r.GetString(5)) ?? [], r.StringOrNull(6), r.StringOrNull(7), db.Uuid(r, 8), db.Time(r, 9)),
            ct, parameters);
}
