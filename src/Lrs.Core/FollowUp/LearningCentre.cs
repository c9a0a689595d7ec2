using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Xapi;

namespace Lrs.Core.FollowUp;

/// <summary>
/// A learning centre (Metodikum, Metodrum) with its program logic: the needs it addresses, its resources, its activities
/// and the effects it intends, each bound to one follow-up figure. Its <see cref="Iri"/> is the activity sessions name as
/// their place (<c>contextActivities.grouping</c> of type <see cref="Learning.SessionStatements.LearningCentreType"/>).
/// </summary>
/// <param name="Id">The client's id, unique per tenant.</param>
/// <param name="Iri">The centre's activity IRI, unique per tenant.</param>
/// <param name="Name">Its name.</param>
/// <param name="Needs">The needs it addresses.</param>
/// <param name="Resources">What it has to work with (trainers, simulation rooms, learning boxes).</param>
/// <param name="Activities">Activity IRIs of its trainings (matched exactly), besides sessions held at the centre.</param>
/// <param name="ActivityPrefixes">IRI prefixes of its trainings (e-learning, webinars).</param>
/// <param name="Effects">The intended effects.</param>
/// <param name="Updated">When it last changed.</param>
public sealed record LearningCentre(string Id, string Iri, string Name, IReadOnlyList<string> Needs, IReadOnlyList<string> Resources,
    IReadOnlyList<string> Activities, IReadOnlyList<string> ActivityPrefixes, IReadOnlyList<IntendedEffect> Effects, DateTimeOffset Updated)
{
    /// <summary>Whether a statement with this object activity and these context activities is the centre's training.</summary>
    public bool Covers(string activityId, IEnumerable<string> contextActivityIds)
    {
        if (Activities.Contains(activityId, StringComparer.Ordinal)) return true;
        foreach (var prefix in ActivityPrefixes)
            if (activityId.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return contextActivityIds.Contains(Iri, StringComparer.Ordinal);
    }
}

/// <summary>An effect a centre intends, bound to the figure that shows it.</summary>
/// <param name="Id">Unique within the centre.</param>
/// <param name="Term"><c>short</c>, <c>medium</c> or <c>long</c>.</param>
/// <param name="Description">The effect in words.</param>
/// <param name="Measure">The figure, <c>measure.figure</c> (see <see cref="FollowUpFigures.All"/>), e.g. <c>longTerm.coverage</c>.</param>
/// <param name="Competence">The competence the figure is read for, if any.</param>
public sealed record IntendedEffect(string Id, string Term, string Description, string Measure, string? Competence);

/// <summary>Reads the body of <c>PUT /api/learning-centres/{id}</c>, reporting every broken rule with its JSON path.</summary>
public static class LearningCentreInput
{
    /// <summary>The terms of an effect.</summary>
    public static readonly IReadOnlyList<string> Terms = ["short", "medium", "long"];

    private const int MaxItems = 100;
    private const int MaxText = 2000;

    /// <summary>Whether a centre's id is usable: 1 to 100 lower-case letters, digits and <c>-</c>.</summary>
    public static bool IsValidId(string id) => id.Length is > 0 and <= 100 && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>Reads a centre; returned only when there is no error. Competences are checked against <paramref name="framework"/>.</summary>
    public static (LearningCentre? Centre, IReadOnlyList<ValidationError> Errors) Read(string id, JsonNode? body, Framework framework, DateTimeOffset now)
    {
        var errors = new List<ValidationError>();
        if (body is not JsonObject o) return (null, [new("$", "must be a JSON object (a learning centre)")]);
        try
        {
            foreach (var (property, _) in o)
                if (property is not ("iri" or "name" or "needs" or "resources" or "activities" or "activityPrefixes" or "effects"))
                    errors.Add(new("$." + property, "is not a property of a learning centre (properties: iri, name, needs, resources, activities, activityPrefixes, effects)"));
            var iri = JsonRead.TryString(o["iri"], out var i) && Iri.IsAbsolute(i) ? i : null;
            if (iri is null) errors.Add(new("$.iri", "is required: the absolute IRI sessions name as their place"));
            var name = Text(o["name"], "$.name", errors, 300);
            if (name is null && o["name"] is null) errors.Add(new("$.name", "is required"));
            var needs = Texts(o["needs"], "$.needs", errors);
            var resources = Texts(o["resources"], "$.resources", errors);
            var activities = Iris(o["activities"], "$.activities", errors);
            var prefixes = Iris(o["activityPrefixes"], "$.activityPrefixes", errors);
            var effects = new List<IntendedEffect>();
            if (o["effects"] is JsonArray list && list.Count <= MaxItems)
                for (var k = 0; k < list.Count; k++)
                    if (ReadEffect(list[k], $"$.effects[{k}]", framework, errors) is { } effect)
                    {
                        if (effects.Any(e => e.Id == effect.Id)) errors.Add(new($"$.effects[{k}].id", $"repeats effect '{effect.Id}'; ids are unique within a centre"));
                        else effects.Add(effect);
                    }
            if (o["effects"] is not null and not JsonArray || o["effects"] is JsonArray { Count: > MaxItems })
                errors.Add(new("$.effects", $"must be an array of at most {MaxItems} effects"));
            return errors.Count > 0 ? (null, errors) : (new LearningCentre(id, iri!, name!, needs, resources, activities, prefixes, effects, now), errors);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or FormatException)
        {
            return (null, [new("$", "could not be read (repeated property?)")]);
        }
    }

    /// <summary>The centre as the API shows it and the store keeps it (without id and updated, which are columns).</summary>
    public static JsonObject ToJson(LearningCentre c) => new()
    {
        ["iri"] = c.Iri,
        ["name"] = c.Name,
        ["needs"] = new JsonArray([.. c.Needs.Select(n => (JsonNode)n)]),
        ["resources"] = new JsonArray([.. c.Resources.Select(n => (JsonNode)n)]),
        ["activities"] = new JsonArray([.. c.Activities.Select(n => (JsonNode)n)]),
        ["activityPrefixes"] = new JsonArray([.. c.ActivityPrefixes.Select(n => (JsonNode)n)]),
        ["effects"] = new JsonArray([.. c.Effects.Select(e => (JsonNode)new JsonObject
        {
            ["id"] = e.Id, ["term"] = e.Term, ["description"] = e.Description, ["measure"] = e.Measure, ["competence"] = e.Competence,
        })]),
    };

    /// <summary>Reads a centre the store kept with <see cref="ToJson"/>.</summary>
    public static LearningCentre FromJson(string id, string json, DateTimeOffset updated)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        static IReadOnlyList<string> List(JsonNode? n) => [.. n!.AsArray().Select(x => x!.GetValue<string>())];
        return new LearningCentre(id, o["iri"]!.GetValue<string>(), o["name"]!.GetValue<string>(), List(o["needs"]), List(o["resources"]),
            List(o["activities"]), List(o["activityPrefixes"]),
            [.. o["effects"]!.AsArray().Select(e => new IntendedEffect(e!["id"]!.GetValue<string>(), e["term"]!.GetValue<string>(),
                e["description"]!.GetValue<string>(), e["measure"]!.GetValue<string>(), e["competence"]?.GetValue<string>()))], updated);
    }

    private static IntendedEffect? ReadEffect(JsonNode? node, string path, Framework framework, List<ValidationError> errors)
    {
        if (node is not JsonObject e)
        {
            errors.Add(new(path, "must be an object {id, term, description, measure, competence?}"));
            return null;
        }
        var before = errors.Count;
        foreach (var (property, _) in e)
            if (property is not ("id" or "term" or "description" or "measure" or "competence"))
                errors.Add(new(path + "." + property, "is not a property of an effect (properties: id, term, description, measure, competence)"));
        var id = JsonRead.TryString(e["id"], out var i) && IsValidId(i) ? i : null;
        if (id is null) errors.Add(new(path + ".id", "is required: 1 to 100 lower-case letters, digits and -"));
        var term = JsonRead.TryString(e["term"], out var t) && Terms.Contains(t) ? t : null;
        if (term is null) errors.Add(new(path + ".term", $"is required: one of {string.Join(", ", Terms)}"));
        var description = Text(e["description"], path + ".description", errors, MaxText);
        if (description is null && e["description"] is null) errors.Add(new(path + ".description", "is required"));
        var measure = JsonRead.TryString(e["measure"], out var m) && FollowUpFigures.All.Contains(m) ? m : null;
        if (measure is null) errors.Add(new(path + ".measure", $"is required: one of {string.Join(", ", FollowUpFigures.All)}"));
        string? competence = null;
        if (e["competence"] is { } c)
        {
            if (JsonRead.TryString(c, out var cid) && framework.FindCompetence(cid) is not null) competence = cid;
            else errors.Add(new(path + ".competence", "must name a competence of the tenant's framework"));
        }
        return errors.Count > before ? null : new IntendedEffect(id!, term!, description!, measure!, competence);
    }

    private static string? Text(JsonNode? node, string path, List<ValidationError> errors, int max)
    {
        if (node is null) return null;
        if (JsonRead.TryString(node, out var text) && !string.IsNullOrWhiteSpace(text) && text.Length <= max) return text;
        errors.Add(new(path, $"must be a non-empty string of at most {max} characters"));
        return null;
    }

    private static List<string> Texts(JsonNode? node, string path, List<ValidationError> errors)
    {
        var texts = new List<string>();
        if (node is null) return texts;
        if (node is not JsonArray list || list.Count > MaxItems)
        {
            errors.Add(new(path, $"must be an array of at most {MaxItems} strings"));
            return texts;
        }
        for (var k = 0; k < list.Count; k++)
            if (Text(list[k], $"{path}[{k}]", errors, MaxText) is { } text) texts.Add(text);
            else if (list[k] is null) errors.Add(new($"{path}[{k}]", "must be a string"));
        return texts;
    }

    private static List<string> Iris(JsonNode? node, string path, List<ValidationError> errors)
    {
        var iris = new List<string>();
        if (node is null) return iris;
        if (node is not JsonArray list || list.Count > MaxItems)
        {
            errors.Add(new(path, $"must be an array of at most {MaxItems} absolute IRIs"));
            return iris;
        }
        for (var k = 0; k < list.Count; k++)
            if (JsonRead.TryString(list[k], out var iri) && Iri.IsAbsolute(iri) && iri.Length <= MaxText) iris.Add(iri);
            else errors.Add(new($"{path}[{k}]", "must be an absolute IRI"));
        return iris;
    }
}
