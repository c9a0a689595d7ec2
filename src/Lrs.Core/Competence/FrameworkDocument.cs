using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Reflection;
using Lrs.Core.Xapi;

namespace Lrs.Core.Competence;

/// <summary>
/// The whole framework as one JSON document, for import and export. The shape (camelCase):
/// <code>
/// { "competences": [{ "id", "name": {"sv","en"}, "description"?, "validity"?, "category"?, "prerequisites"? }],
///   "rules": [{ "id", "competence", "verbs", "activities"?, "activityTypes"?, "activityPrefixes"?,
///               "successRequired"?, "minScaledScore"?, "signoffRequired"? }],
///   "roles": [{ "id", "name", "requirements": [{ "competence", "level", "duty"? }] }],
///   "signoffVerbs"?: [...],
///   "reflectionTemplates"?: [{ "id", "title": {"sv","en"}, "prompts": [{ "id", "text": {"sv","en"} }],
///               "trigger": { "competence" } or { "verbs", "activities"?, "activityTypes"?, "activityPrefixes"? },
///               "mode": "individual" | "group", "dueIn": "P14D", "kind"?: "reflection" | "follow-up", "delay"?: "P8W" }] }
/// </code>
/// Strict: an unknown property is an error. An optional property given as <c>null</c> counts as left out.
/// </summary>
public static class FrameworkDocument
{
    private static readonly string[] TopKeys = ["competences", "rules", "roles", "signoffVerbs", "reflectionTemplates"];
    private static readonly string[] CompetenceKeys = ["id", "name", "description", "validity", "category", "prerequisites"];
    private static readonly string[] RuleKeys =
        ["id", "competence", "verbs", "activities", "activityTypes", "activityPrefixes", "successRequired", "minScaledScore", "signoffRequired"];
    private static readonly string[] RoleKeys = ["id", "name", "requirements"];
    private static readonly string[] RequirementKeys = ["competence", "level", "duty"];
    private static readonly string[] TextKeys = ["sv", "en"];
    private static readonly string[] TemplateKeys = ["id", "title", "prompts", "trigger", "mode", "dueIn", "kind", "delay"];
    private static readonly string[] PromptKeys = ["id", "text"];
    private static readonly string[] TriggerKeys = ["competence", "verbs", "activities", "activityTypes", "activityPrefixes"];

    /// <summary>
    /// Reads and checks a framework document. Returns the framework and no errors, or null and every error found,
    /// each with the JSON path of what is wrong (e.g. <c>$.rules[2].verbs[0]</c>). Never throws on any JSON input.
    /// </summary>
    public static (Framework? Framework, IReadOnlyList<ValidationError> Errors) Parse(JsonNode? document)
    {
        var reader = new Reader();
        Framework? framework;
        try
        {
            framework = reader.Document(document);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or FormatException)
        {
            // A JsonObject parsed from text with a repeated key fails when first enumerated.
            reader.Add("$", "the document could not be read (repeated property?)");
            framework = null;
        }
        return reader.Errors.Count > 0 ? (null, reader.Errors) : (framework, []);
    }

    /// <summary>
    /// The framework as a document in the shape <see cref="Parse"/> reads; defaults (empty lists, false, null) are left
    /// out, except the three main lists and <c>signoffVerbs</c>, which are always written (<c>reflectionTemplates</c> only
    /// when there are some). Deterministic: the same framework always gives the same JSON.
    /// </summary>
    public static JsonObject Write(Framework framework)
    {
        var competences = new JsonArray();
        foreach (var c in framework.Competences)
        {
            var o = new JsonObject { ["id"] = c.Id, ["name"] = Text(c.Name) };
            if (c.Description is not null) o["description"] = Text(c.Description);
            if (c.Validity is not null) o["validity"] = c.Validity;
            if (c.Category is not null) o["category"] = c.Category;
            if (c.Prerequisites.Count > 0) o["prerequisites"] = Strings(c.Prerequisites);
            competences.Add(o);
        }
        var rules = new JsonArray();
        foreach (var r in framework.Rules)
        {
            var o = new JsonObject { ["id"] = r.Id, ["competence"] = r.CompetenceId, ["verbs"] = Strings(r.Verbs) };
            if (r.Activities.Count > 0) o["activities"] = Strings(r.Activities);
            if (r.ActivityTypes.Count > 0) o["activityTypes"] = Strings(r.ActivityTypes);
            if (r.ActivityPrefixes.Count > 0) o["activityPrefixes"] = Strings(r.ActivityPrefixes);
            if (r.SuccessRequired) o["successRequired"] = true;
            if (r.MinScaledScore is { } min) o["minScaledScore"] = min;
            if (r.SignoffRequired) o["signoffRequired"] = true;
            rules.Add(o);
        }
        var roles = new JsonArray();
        foreach (var role in framework.Roles)
        {
            var requirements = new JsonArray();
            foreach (var q in role.Requirements)
            {
                var o = new JsonObject { ["competence"] = q.CompetenceId, ["level"] = LevelName(q.Level) };
                if (q.Duty is not null) o["duty"] = q.Duty;
                requirements.Add(o);
            }
            roles.Add(new JsonObject { ["id"] = role.Id, ["name"] = Text(role.Name), ["requirements"] = requirements });
        }
        var document = new JsonObject
        {
            ["competences"] = competences,
            ["rules"] = rules,
            ["roles"] = roles,
            ["signoffVerbs"] = Strings(framework.SignoffVerbs),
        };
        if (framework.ReflectionTemplates.Count > 0)
        {
            var templates = new JsonArray();
            foreach (var t in framework.ReflectionTemplates) templates.Add(Template(t));
            document["reflectionTemplates"] = templates;
        }
        return document;
    }

    /// <summary>The JSON name of a requirement level: <c>required</c>, <c>conditional</c> or <c>recommended</c>.</summary>
    public static string LevelName(RequirementLevel level) => level switch
    {
        RequirementLevel.Required => "required",
        RequirementLevel.Conditional => "conditional",
        RequirementLevel.Recommended => "recommended",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    /// <summary>The JSON name of a reflection mode: <c>individual</c> or <c>group</c>.</summary>
    public static string ModeName(ReflectionMode mode) => mode switch
    {
        ReflectionMode.Individual => "individual",
        ReflectionMode.Group => "group",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Whether <paramref name="id"/> is a valid id of a competence, rule, role, duty, reflection template or prompt:
    /// 1 to 64 lower-case ASCII letters, digits and '-'.</summary>
    public static bool IsValidId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64) return false;
        foreach (var c in id)
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')) return false;
        return true;
    }

    private static JsonObject Template(ReflectionTemplate t)
    {
        var prompts = new JsonArray();
        foreach (var p in t.Prompts) prompts.Add(new JsonObject { ["id"] = p.Id, ["text"] = Text(p.Text) });
        var trigger = new JsonObject();
        if (t.Trigger.CompetenceId is { } competence) trigger["competence"] = competence;
        else
        {
            trigger["verbs"] = Strings(t.Trigger.Verbs);
            if (t.Trigger.Activities.Count > 0) trigger["activities"] = Strings(t.Trigger.Activities);
            if (t.Trigger.ActivityTypes.Count > 0) trigger["activityTypes"] = Strings(t.Trigger.ActivityTypes);
            if (t.Trigger.ActivityPrefixes.Count > 0) trigger["activityPrefixes"] = Strings(t.Trigger.ActivityPrefixes);
        }
        var template = new JsonObject
        {
            ["id"] = t.Id,
            ["title"] = Text(t.Title),
            ["prompts"] = prompts,
            ["trigger"] = trigger,
            ["mode"] = ModeName(t.Mode),
            ["dueIn"] = t.DueIn,
        };
        // A reflection is written as before follow-up questions existed, so documents exported then compare equal.
        if (t.IsFollowUp)
        {
            template["kind"] = KindName(t.Kind);
            template["delay"] = t.Delay;
        }
        return template;
    }

    /// <summary>The JSON name of a template kind: <c>reflection</c> or <c>follow-up</c>.</summary>
    public static string KindName(ReflectionTemplateKind kind) => kind == ReflectionTemplateKind.FollowUp ? "follow-up" : "reflection";

    private static JsonObject Text(LocalizedText text)
    {
        var o = new JsonObject();
        if (text.Sv is not null) o["sv"] = text.Sv;
        if (text.En is not null) o["en"] = text.En;
        return o;
    }

    private static JsonArray Strings(IReadOnlyList<string> values)
    {
        var a = new JsonArray();
        foreach (var v in values) a.Add(v);
        return a;
    }

    // One pass over a document that records every error instead of stopping at the first. Cross references (rule →
    // competence, prerequisites, cycles) are checked after all items have been read, so their order does not matter.
    private sealed class Reader
    {
        private readonly List<ValidationError> _errors = [];

        public IReadOnlyList<ValidationError> Errors => _errors;

        public void Add(string path, string message) => _errors.Add(new ValidationError(path, message));

        private static string Child(string path, string key) => string.Concat(path, ".", key);

        private static string Index(string path, int i) => string.Concat(path, "[", i.ToString(CultureInfo.InvariantCulture), "]");

        public Framework? Document(JsonNode? node)
        {
            if (node is not JsonObject doc)
            {
                Add("$", "the framework must be a JSON object");
                return null;
            }
            Unknown(doc, "$", TopKeys, "of a framework");

            // Items come with the paths of their list entries: an entry that failed to read leaves no gap in the paths.
            var competences = new List<(Competence Item, string Path, List<string> PrerequisitePaths)>();
            foreach (var (item, path) in Items(doc, "competences"))
                if (CompetenceItem(item, path) is ({ } c, var paths)) competences.Add((c, path, paths));
            var rules = new List<(AlignmentRule Item, string Path)>();
            foreach (var (item, path) in Items(doc, "rules"))
                if (Rule(item, path) is { } r) rules.Add((r, path));
            var roles = new List<(Role Item, string Path, List<string> RequirementPaths)>();
            foreach (var (item, path) in Items(doc, "roles"))
                if (RoleItem(item, path) is ({ } r, var paths)) roles.Add((r, path, paths));

            var signoffVerbs = Framework.DefaultSignoffVerbs;
            if (doc["signoffVerbs"] is { } sv)
            {
                signoffVerbs = IriList(sv, "$.signoffVerbs");
                if (sv is JsonArray { Count: 0 }) Add("$.signoffVerbs", "must name at least one verb; leave it out for the default");
            }

            var templates = new List<(ReflectionTemplate Item, string Path)>();
            foreach (var (item, path) in Items(doc, "reflectionTemplates"))
                if (TemplateItem(item, path) is { } t) templates.Add((t, path));

            var competenceIds = UniqueIds(competences.Select(c => (c.Item.Id, c.Path)), "competence");
            UniqueIds(rules.Select(r => (r.Item.Id, r.Path)), "rule");
            UniqueIds(roles.Select(r => (r.Item.Id, r.Path)), "role");
            UniqueIds(templates.Select(t => (t.Item.Id, t.Path)), "reflection template");

            foreach (var (c, _, paths) in competences)
            {
                for (var i = 0; i < c.Prerequisites.Count; i++)
                {
                    var p = paths[i];
                    if (c.Prerequisites[i] == c.Id) Add(p, "a competence cannot be its own prerequisite");
                    else if (!competenceIds.Contains(c.Prerequisites[i])) Add(p, $"'{c.Prerequisites[i]}' is not a competence of the framework");
                    else if (c.Prerequisites.Take(i).Contains(c.Prerequisites[i])) Add(p, "is listed twice");
                }
            }
            Cycles(competences);
            foreach (var (r, path) in rules)
                if (IsValidId(r.CompetenceId) && !competenceIds.Contains(r.CompetenceId))
                    Add(Child(path, "competence"), $"'{r.CompetenceId}' is not a competence of the framework");
            foreach (var (role, _, paths) in roles)
            {
                for (var i = 0; i < role.Requirements.Count; i++)
                {
                    var q = role.Requirements[i];
                    var p = Child(paths[i], "competence");
                    if (!IsValidId(q.CompetenceId)) continue;
                    if (!competenceIds.Contains(q.CompetenceId)) Add(p, $"'{q.CompetenceId}' is not a competence of the framework");
                    else if (role.Requirements.Take(i).Any(x => x.CompetenceId == q.CompetenceId)) Add(p, "the role already has a requirement for this competence");
                }
            }

            foreach (var (t, path) in templates)
                if (t.Trigger.CompetenceId is { } competence && !competenceIds.Contains(competence))
                    Add(Child(Child(path, "trigger"), "competence"), $"'{competence}' is not a competence of the framework");

            if (_errors.Count > 0) return null;
            return new Framework([.. competences.Select(c => c.Item)], [.. rules.Select(r => r.Item)], [.. roles.Select(r => r.Item)], signoffVerbs)
            {
                ReflectionTemplates = [.. templates.Select(t => t.Item)],
            };
        }

        // The items of a top-level list, each with its path; a missing or null list is an empty one.
        private IEnumerable<(JsonNode? Item, string Path)> Items(JsonObject doc, string name)
        {
            var node = doc[name];
            if (node is null) yield break;
            var path = "$." + name;
            if (node is not JsonArray array)
            {
                Add(path, "must be an array");
                yield break;
            }
            for (var i = 0; i < array.Count; i++) yield return (array[i], Index(path, i));
        }

        private (Competence?, List<string>) CompetenceItem(JsonNode? node, string path)
        {
            if (node is not JsonObject o) { Add(path, "a competence must be a JSON object"); return (null, []); }
            Unknown(o, path, CompetenceKeys, "of a competence");
            var id = Id(o, path);
            var name = RequiredText(o, path, "name");
            var description = o["description"] is { } d ? LocalizedText(d, Child(path, "description")) : null;
            var validity = OptionalString(o, path, "validity");
            if (validity is not null)
            {
                if (!IsoDuration.TryParse(validity, out var duration))
                    Add(Child(path, "validity"), "must be an ISO 8601 duration such as P1Y, P18M or P2W (PnYnMnWnDTnHnMnS, no sign, a fraction only on seconds)");
                else if (duration == default)
                    Add(Child(path, "validity"), "must be longer than zero; leave it out for a competence that never expires");
            }
            var category = OptionalString(o, path, "category");
            var prerequisites = o["prerequisites"] is { } pre ? IdList(pre, Child(path, "prerequisites")) : [];
            // Returned despite other errors so that references to it are checked; the document fails anyway.
            return id is null
                ? (null, [])
                : (new Competence(id, name ?? new LocalizedText(null, null), description, validity, category, [.. prerequisites.Select(p => p.Id)]),
                    [.. prerequisites.Select(p => p.Path)]);
        }

        private AlignmentRule? Rule(JsonNode? node, string path)
        {
            if (node is not JsonObject o) { Add(path, "a rule must be a JSON object"); return null; }
            Unknown(o, path, RuleKeys, "of a rule");
            var id = Id(o, path);
            string? competence = null;
            if (o["competence"] is not { } c) Add(Child(path, "competence"), "is required");
            else if (!JsonRead.TryString(c, out var s)) Add(Child(path, "competence"), "must be a string");
            else if (!IsValidId(s)) Add(Child(path, "competence"), "must be a competence id");
            else competence = s;

            IReadOnlyList<string> verbs = [];
            if (o["verbs"] is not { } v) Add(Child(path, "verbs"), "is required");
            else
            {
                verbs = IriList(v, Child(path, "verbs"));
                if (v is JsonArray { Count: 0 }) Add(Child(path, "verbs"), "must name at least one verb");
            }
            var activities = o["activities"] is { } a ? IriList(a, Child(path, "activities")) : [];
            var types = o["activityTypes"] is { } t ? IriList(t, Child(path, "activityTypes")) : [];
            var prefixes = o["activityPrefixes"] is { } p ? IriList(p, Child(path, "activityPrefixes")) : [];
            if (IsNullOrEmpty(o["activities"]) && IsNullOrEmpty(o["activityTypes"]) && IsNullOrEmpty(o["activityPrefixes"]))
                Add(path, "a rule must select activities: give at least one of activities, activityTypes, activityPrefixes");

            var successRequired = OptionalBool(o, path, "successRequired");
            double? minScaled = null;
            if (o["minScaledScore"] is { } m)
            {
                if (!JsonRead.TryNumber(m, out var min)) Add(Child(path, "minScaledScore"), "must be a number");
                else if (min is < -1 or > 1) Add(Child(path, "minScaledScore"), "must be between -1 and 1 (a scaled score)");
                else minScaled = min;
            }
            var signoffRequired = OptionalBool(o, path, "signoffRequired");
            return id is null || competence is null
                ? null
                : new AlignmentRule(id, competence, verbs, activities, types, prefixes, successRequired, minScaled, signoffRequired);
        }

        private (Role?, List<string>) RoleItem(JsonNode? node, string path)
        {
            if (node is not JsonObject o) { Add(path, "a role must be a JSON object"); return (null, []); }
            Unknown(o, path, RoleKeys, "of a role");
            var id = Id(o, path);
            var name = RequiredText(o, path, "name");
            var requirements = new List<RoleRequirement>();
            var paths = new List<string>();
            var listPath = Child(path, "requirements");
            if (o["requirements"] is not { } list) Add(listPath, "is required (an empty array for none)");
            else if (list is not JsonArray array) Add(listPath, "must be an array");
            else
            {
                for (var i = 0; i < array.Count; i++)
                {
                    var p = Index(listPath, i);
                    if (Requirement(array[i], p) is { } q) { requirements.Add(q); paths.Add(p); }
                }
            }
            return id is null ? (null, []) : (new Role(id, name ?? new LocalizedText(null, null), requirements), paths);
        }

        // A template read despite errors in it is still returned when it has an id, so that its id and trigger
        // competence are checked against the others; the document fails anyway.
        private ReflectionTemplate? TemplateItem(JsonNode? node, string path)
        {
            if (node is not JsonObject o) { Add(path, "a reflection template must be a JSON object"); return null; }
            Unknown(o, path, TemplateKeys, "of a reflection template");
            var id = Id(o, path);
            var title = RequiredText(o, path, "title");

            var prompts = new List<ReflectionPrompt>();
            var listPath = Child(path, "prompts");
            if (o["prompts"] is not { } list) Add(listPath, "is required");
            else if (list is not JsonArray array) Add(listPath, "must be an array");
            else if (array.Count == 0) Add(listPath, "must have at least one prompt");
            else
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < array.Count; i++)
                {
                    var p = Index(listPath, i);
                    if (Prompt(array[i], p) is not { } prompt) continue;
                    if (!seen.Add(prompt.Id)) Add(Child(p, "id"), $"another prompt of this template already has the id '{prompt.Id}'");
                    else prompts.Add(prompt);
                }
            }

            var trigger = Trigger(o, path);

            ReflectionMode? mode = null;
            var modePath = Child(path, "mode");
            if (o["mode"] is not { } m) Add(modePath, "is required (individual or group)");
            else if (!JsonRead.TryString(m, out var s)) Add(modePath, "must be a string");
            else
            {
                mode = s switch { "individual" => ReflectionMode.Individual, "group" => ReflectionMode.Group, _ => null };
                if (mode is null) Add(modePath, $"'{s}' is not a reflection mode (individual, group)");
            }

            var dueIn = OptionalString(o, path, "dueIn");
            if (dueIn is null && o["dueIn"] is null) Add(Child(path, "dueIn"), "is required (an ISO 8601 duration such as P14D)");
            else if (dueIn is not null)
            {
                if (!IsoDuration.TryParse(dueIn, out var duration))
                    Add(Child(path, "dueIn"), "must be an ISO 8601 duration such as P14D, P1M or P2W (PnYnMnWnDTnHnMnS, no sign, a fraction only on seconds)");
                else if (duration == default)
                    Add(Child(path, "dueIn"), "must be longer than zero");
            }

            var kind = ReflectionTemplateKind.Reflection;
            var kindText = OptionalString(o, path, "kind");
            if (kindText is not null)
            {
                if (kindText == "follow-up") kind = ReflectionTemplateKind.FollowUp;
                else if (kindText != "reflection") Add(Child(path, "kind"), $"'{kindText}' is not a template kind (reflection, follow-up)");
            }
            var delay = OptionalString(o, path, "delay");
            var delayPath = Child(path, "delay");
            if (kind == ReflectionTemplateKind.FollowUp)
            {
                if (delay is null && o["delay"] is null) Add(delayPath, "is required for a follow-up question (an ISO 8601 duration such as P8W)");
                else if (delay is not null)
                {
                    if (!IsoDuration.TryParse(delay, out var after))
                        Add(delayPath, "must be an ISO 8601 duration such as P8W or P3M (PnYnMnWnDTnHnMnS, no sign, a fraction only on seconds)");
                    else if (after == default) Add(delayPath, "must be longer than zero");
                }
                if (mode == ReflectionMode.Group) Add(modePath, "a follow-up question is answered by each person: individual");
                if (prompts.Count > 1) Add(listPath, "a follow-up question has one prompt");
            }
            else if (o["delay"] is not null) Add(delayPath, "is given only for a follow-up question (kind follow-up)");

            return id is null
                ? null
                : new ReflectionTemplate(id, title ?? new LocalizedText(null, null), prompts,
                    trigger ?? ReflectionTrigger.ForStatements([]), mode ?? ReflectionMode.Individual, dueIn ?? "", kind,
                    kind == ReflectionTemplateKind.FollowUp ? delay : null);
        }

        private ReflectionPrompt? Prompt(JsonNode? node, string path)
        {
            if (node is not JsonObject o) { Add(path, "a prompt must be a JSON object"); return null; }
            Unknown(o, path, PromptKeys, "of a prompt");
            var id = Id(o, path);
            var text = RequiredText(o, path, "text");
            return id is null || text is null ? null : new ReflectionPrompt(id, text);
        }

        // Exactly one kind: a competence, or verbs with an activity selector, never both.
        private ReflectionTrigger? Trigger(JsonObject template, string templatePath)
        {
            var path = Child(templatePath, "trigger");
            if (template["trigger"] is not { } node) { Add(path, "is required"); return null; }
            if (node is not JsonObject o) { Add(path, "must be an object with a competence, or verbs and activities"); return null; }
            Unknown(o, path, TriggerKeys, "of a trigger");
            var selects = !IsNullOrEmpty(o["verbs"]) || !IsNullOrEmpty(o["activities"])
                || !IsNullOrEmpty(o["activityTypes"]) || !IsNullOrEmpty(o["activityPrefixes"]);
            if (o["competence"] is { } c)
            {
                if (selects)
                {
                    Add(path, "a trigger is either a competence or verbs with activities, not both");
                    return null;
                }
                if (!JsonRead.TryString(c, out var s)) { Add(Child(path, "competence"), "must be a string"); return null; }
                if (!IsValidId(s)) { Add(Child(path, "competence"), "must be a competence id"); return null; }
                return ReflectionTrigger.ForCompetence(s);
            }
            if (o["verbs"] is null && !selects)
            {
                Add(path, "must name a competence, or verbs and at least one of activities, activityTypes, activityPrefixes");
                return null;
            }

            IReadOnlyList<string> verbs = [];
            if (o["verbs"] is not { } v) Add(Child(path, "verbs"), "is required when no competence is named");
            else
            {
                verbs = IriList(v, Child(path, "verbs"));
                if (v is JsonArray { Count: 0 }) Add(Child(path, "verbs"), "must name at least one verb");
            }
            var activities = o["activities"] is { } a ? IriList(a, Child(path, "activities")) : [];
            var types = o["activityTypes"] is { } t ? IriList(t, Child(path, "activityTypes")) : [];
            var prefixes = o["activityPrefixes"] is { } p ? IriList(p, Child(path, "activityPrefixes")) : [];
            if (IsNullOrEmpty(o["activities"]) && IsNullOrEmpty(o["activityTypes"]) && IsNullOrEmpty(o["activityPrefixes"]))
                Add(path, "a trigger must select activities: give at least one of activities, activityTypes, activityPrefixes");
            return ReflectionTrigger.ForStatements(verbs, activities, types, prefixes);
        }

        private RoleRequirement? Requirement(JsonNode? node, string path)
        {
            if (node is not JsonObject o) { Add(path, "a requirement must be a JSON object"); return null; }
            Unknown(o, path, RequirementKeys, "of a requirement");
            string? competence = null;
            if (o["competence"] is not { } c) Add(Child(path, "competence"), "is required");
            else if (!JsonRead.TryString(c, out var s)) Add(Child(path, "competence"), "must be a string");
            else if (!IsValidId(s)) Add(Child(path, "competence"), "must be a competence id");
            else competence = s;

            RequirementLevel? level = null;
            if (o["level"] is not { } l) Add(Child(path, "level"), "is required");
            else if (!JsonRead.TryString(l, out var s)) Add(Child(path, "level"), "must be a string");
            else
            {
                level = s switch
                {
                    "required" => RequirementLevel.Required,
                    "conditional" => RequirementLevel.Conditional,
                    "recommended" => RequirementLevel.Recommended,
                    _ => null,
                };
                if (level is null) Add(Child(path, "level"), $"'{s}' is not a requirement level (required, conditional, recommended)");
            }

            var duty = OptionalString(o, path, "duty");
            if (duty is not null && !IsValidId(duty))
                Add(Child(path, "duty"), "must be 1 to 64 lower-case letters, digits and '-'");
            if (level == RequirementLevel.Conditional && duty is null && o["duty"] is null)
                Add(Child(path, "duty"), "a conditional requirement must name the duty that makes it required");
            if (level is RequirementLevel.Required or RequirementLevel.Recommended && duty is not null)
                Add(Child(path, "duty"), "only a conditional requirement has a duty");
            return competence is null || level is null ? null : new RoleRequirement(competence, level.Value, duty);
        }

        private static bool IsNullOrEmpty(JsonNode? node) => node is null || node is JsonArray { Count: 0 };

        private string? Id(JsonObject o, string path)
        {
            var p = Child(path, "id");
            if (o["id"] is not { } node) { Add(p, "is required"); return null; }
            if (!JsonRead.TryString(node, out var id)) { Add(p, "must be a string"); return null; }
            if (!IsValidId(id)) { Add(p, "must be 1 to 64 lower-case letters, digits and '-'"); return null; }
            return id;
        }

        private LocalizedText? RequiredText(JsonObject o, string path, string name)
        {
            if (o[name] is { } node) return LocalizedText(node, Child(path, name));
            Add(Child(path, name), "is required");
            return null;
        }

        private LocalizedText? LocalizedText(JsonNode node, string path)
        {
            if (node is not JsonObject o) { Add(path, "must be an object with sv and/or en"); return null; }
            Unknown(o, path, TextKeys, "of a text (sv, en)");
            var sv = OptionalString(o, path, "sv");
            var en = OptionalString(o, path, "en");
            if (sv is null && en is null && o["sv"] is null && o["en"] is null)
            {
                Add(path, "must have a Swedish (sv) or an English (en) text, or both");
                return null;
            }
            return new LocalizedText(sv, en);
        }

        private string? OptionalString(JsonObject o, string path, string name)
        {
            if (o[name] is not { } node) return null;
            if (!JsonRead.TryString(node, out var s)) { Add(Child(path, name), "must be a string"); return null; }
            if (s.Length == 0) { Add(Child(path, name), "must not be empty; leave it out instead"); return null; }
            return s;
        }

        private bool OptionalBool(JsonObject o, string path, string name)
        {
            if (o[name] is not { } node) return false;
            if (!JsonRead.IsBoolean(node)) { Add(Child(path, name), "must be true or false"); return false; }
            return node.GetValue<bool>();
        }

        private List<string> IriList(JsonNode node, string path)
        {
            var result = new List<string>();
            if (node is not JsonArray array) { Add(path, "must be an array"); return result; }
            for (var i = 0; i < array.Count; i++)
            {
                var p = Index(path, i);
                if (!JsonRead.TryString(array[i], out var s)) Add(p, "must be a string");
                else if (!Iri.IsAbsolute(s)) Add(p, "must be an absolute IRI");
                else result.Add(s);
            }
            return result;
        }

        private List<(string Id, string Path)> IdList(JsonNode node, string path)
        {
            var result = new List<(string Id, string Path)>();
            if (node is not JsonArray array) { Add(path, "must be an array"); return result; }
            for (var i = 0; i < array.Count; i++)
            {
                var p = Index(path, i);
                if (!JsonRead.TryString(array[i], out var s)) Add(p, "must be a string");
                else if (!IsValidId(s)) Add(p, "must be a competence id");
                else result.Add((s, p));
            }
            return result;
        }

        private void Unknown(JsonObject o, string path, string[] allowed, string what)
        {
            foreach (var (key, _) in o)
                if (Array.IndexOf(allowed, key) < 0) Add(Child(path, key), $"is not a property {what}");
        }

        private HashSet<string> UniqueIds(IEnumerable<(string Id, string Path)> items, string what)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (id, path) in items)
                if (!seen.Add(id)) Add(Child(path, "id"), $"another {what} already has the id '{id}'");
            return seen;
        }

        // Depth-first search over prerequisites; each cycle is reported once, at the prerequisite entry that closes it.
        private void Cycles(List<(Competence Item, string Path, List<string> PrerequisitePaths)> competences)
        {
            var byId = new Dictionary<string, (Competence Item, List<string> PrerequisitePaths)>(StringComparer.Ordinal);
            foreach (var c in competences) byId.TryAdd(c.Item.Id, (c.Item, c.PrerequisitePaths));
            var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the current path, 2 = done
            var stack = new List<string>();

            void Visit(string id)
            {
                state[id] = 1;
                stack.Add(id);
                var (c, paths) = byId[id];
                for (var i = 0; i < c.Prerequisites.Count; i++)
                {
                    var next = c.Prerequisites[i];
                    if (next == id || !byId.ContainsKey(next)) continue; // reported elsewhere
                    if (state.GetValueOrDefault(next) == 1)
                    {
                        var cycle = stack[stack.IndexOf(next)..];
                        Add(paths[i],
                            $"prerequisites form a cycle: {string.Join(" → ", cycle)} → {next}");
                    }
                    else if (state.GetValueOrDefault(next) == 0) Visit(next);
                }
                stack.RemoveAt(stack.Count - 1);
                state[id] = 2;
            }

            foreach (var (c, _, _) in competences)
                if (state.GetValueOrDefault(c.Id) == 0) Visit(c.Id);
        }
    }
}
