using System.Collections.Frozen;
using System.Text.Json.Serialization;
using Lrs.Core.Reflection;

namespace Lrs.Core.Competence;

/// <summary>A name or text in Swedish and English; a valid framework has at least one of the two.</summary>
/// <param name="Sv">The Swedish text.</param>
/// <param name="En">The English text.</param>
public sealed record LocalizedText(string? Sv, string? En);

/// <summary>Something a person can be competent in, such as basic hygiene routines or delegated medication handling.</summary>
/// <param name="Id">Lower-case letters, digits and '-', 1 to 64 characters (e.g. <c>basal-hygien</c>).</param>
/// <param name="Name">The name.</param>
/// <param name="Description">What it covers, if told.</param>
/// <param name="Validity">How long evidence stays valid, an ISO 8601 duration such as <c>P1Y</c>, <c>P18M</c>, <c>P2W</c>
/// (see <see cref="IsoDuration"/>); null when it never expires.</param>
/// <param name="Category">A free grouping such as <c>safety</c>, if any.</param>
/// <param name="Prerequisites">Ids of competences that must be valid too for this one to count as met.</param>
public sealed record Competence(string Id, LocalizedText Name, LocalizedText? Description, string? Validity,
    string? Category, IReadOnlyList<string> Prerequisites)
{
    /// <summary>Equal when every member is, lists compared item by item.</summary>
    public bool Equals(Competence? other) =>
        other is not null && Id == other.Id && Name == other.Name && Description == other.Description
        && Validity == other.Validity && Category == other.Category && Prerequisites.SequenceEqual(other.Prerequisites);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Name, Validity, Prerequisites.Count);
}

/// <summary>
/// Which statements count as evidence of a competence. A rule matches a statement when its verb is one of
/// <see cref="Verbs"/>, its object is an Activity matched by at least one selector (<see cref="Activities"/>,
/// <see cref="ActivityTypes"/>, <see cref="ActivityPrefixes"/>; a valid rule has at least one), and the result
/// conditions hold.
/// </summary>
/// <param name="Id">Lower-case letters, digits and '-', 1 to 64 characters; unique among the rules.</param>
/// <param name="CompetenceId">The competence it gives evidence of.</param>
/// <param name="Verbs">Verb IRIs; at least one.</param>
/// <param name="Activities">Object activity IRIs matched exactly.</param>
/// <param name="ActivityTypes">Object <c>definition.type</c> IRIs, as sent in the statement.</param>
/// <param name="ActivityPrefixes">Matches an object activity IRI that starts with one of these.</param>
/// <param name="SuccessRequired">Whether <c>result.success</c> must be true.</param>
/// <param name="MinScaledScore">The least <c>result.score.scaled</c> that counts, in [-1, 1]; null for no score condition.</param>
/// <param name="SignoffRequired">Whether the evidence stays pending until a supervisor signs it off.</param>
public sealed record AlignmentRule(string Id, string CompetenceId,
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> Activities,
    IReadOnlyList<string> ActivityTypes,
    IReadOnlyList<string> ActivityPrefixes,
    bool SuccessRequired,
    double? MinScaledScore,
    bool SignoffRequired) : IActivitySelector
{
    /// <summary>Equal when every member is, lists compared item by item.</summary>
    public bool Equals(AlignmentRule? other) =>
        other is not null && Id == other.Id && CompetenceId == other.CompetenceId
        && Verbs.SequenceEqual(other.Verbs) && Activities.SequenceEqual(other.Activities)
        && ActivityTypes.SequenceEqual(other.ActivityTypes) && ActivityPrefixes.SequenceEqual(other.ActivityPrefixes)
        && SuccessRequired == other.SuccessRequired && MinScaledScore == other.MinScaledScore
        && SignoffRequired == other.SignoffRequired;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, CompetenceId, Verbs.Count, SuccessRequired, MinScaledScore, SignoffRequired);
}

/// <summary>How strongly a role asks for a competence. JSON names: <c>required</c>, <c>conditional</c>, <c>recommended</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RequirementLevel>))]
public enum RequirementLevel
{
    /// <summary>Everyone in the role must have it.</summary>
    [JsonStringEnumMemberName("required")] Required,
    /// <summary>Required only of people who have the duty the requirement names (e.g. delegated medication handling).</summary>
    [JsonStringEnumMemberName("conditional")] Conditional,
    /// <summary>Good to have; never a gap.</summary>
    [JsonStringEnumMemberName("recommended")] Recommended,
}

/// <summary>A role's demand for one competence.</summary>
/// <param name="CompetenceId">The competence asked for.</param>
/// <param name="Level">How strongly.</param>
/// <param name="Duty">For <see cref="RequirementLevel.Conditional"/>: the duty (e.g. <c>delegated-tasks</c>) that makes
/// it required; null otherwise.</param>
public sealed record RoleRequirement(string CompetenceId, RequirementLevel Level, string? Duty);

/// <summary>A job role (e.g. <c>underskoterska</c>) and the competences it asks for.</summary>
/// <param name="Id">Lower-case letters, digits and '-', 1 to 64 characters.</param>
/// <param name="Name">The name.</param>
/// <param name="Requirements">What it asks for, at most one requirement per competence.</param>
public sealed record Role(string Id, LocalizedText Name, IReadOnlyList<RoleRequirement> Requirements)
{
    /// <summary>Equal when every member is, requirements compared item by item.</summary>
    public bool Equals(Role? other) =>
        other is not null && Id == other.Id && Name == other.Name && Requirements.SequenceEqual(other.Requirements);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Name, Requirements.Count);
}

/// <summary>
/// A tenant's competence framework: its competences, the rules that turn statements into evidence, the roles and
/// what they require, the verbs that sign evidence off, and the reflection templates that training leads to.
/// Immutable; lookups are built on first use, once.
/// </summary>
/// <param name="Competences">The competences, in the order profiles list them.</param>
/// <param name="Rules">The alignment rules; when several match a statement for one competence, the first wins.</param>
/// <param name="Roles">The roles.</param>
/// <param name="SignoffVerbs">Verbs of a supervisor's statement that signs off the statement its StatementRef names
/// (by default <see cref="DefaultSignoffVerbs"/>).</param>
public sealed record Framework(IReadOnlyList<Competence> Competences, IReadOnlyList<AlignmentRule> Rules,
    IReadOnlyList<Role> Roles, IReadOnlyList<string> SignoffVerbs)
{
    /// <summary>The sign-off verb of the xAPI TLA vocabulary: <c>https://w3id.org/xapi/tla/verbs/verified</c>.</summary>
    public const string VerifiedVerb = "https://w3id.org/xapi/tla/verbs/verified";

    /// <summary>The sign-off verbs of a framework that names none.</summary>
    public static IReadOnlyList<string> DefaultSignoffVerbs { get; } = [VerifiedVerb];

    /// <summary>No competences, rules or roles; the default sign-off verbs.</summary>
    public static Framework Empty { get; } = new([], [], [], DefaultSignoffVerbs);

    // Every member that feeds the lookups drops them when set, so that a `with` copy never answers from its original's.
    private IReadOnlyList<Competence> _competences = Competences;
    private IReadOnlyList<AlignmentRule> _rules = Rules;
    private IReadOnlyList<Role> _roles = Roles;
    private IReadOnlyList<string> _signoffVerbs = SignoffVerbs;
    private IReadOnlyList<ReflectionTemplate> _templates = [];
    private Lookups? _lookups;

    /// <summary>The competences, in the order profiles list them.</summary>
    public IReadOnlyList<Competence> Competences { get => _competences; init { _competences = value; _lookups = null; } }

    /// <summary>The alignment rules; when several match a statement for one competence, the first wins.</summary>
    public IReadOnlyList<AlignmentRule> Rules { get => _rules; init { _rules = value; _lookups = null; } }

    /// <summary>The roles.</summary>
    public IReadOnlyList<Role> Roles { get => _roles; init { _roles = value; _lookups = null; } }

    /// <summary>Verbs of a supervisor's statement that signs off the statement its StatementRef names.</summary>
    public IReadOnlyList<string> SignoffVerbs { get => _signoffVerbs; init { _signoffVerbs = value; _lookups = null; } }

    /// <summary>
    /// The reflection templates: what staff are asked to reflect on after training, and what triggers it. Empty by
    /// default. See <see cref="ReflectionTriggers"/>.
    /// </summary>
    public IReadOnlyList<ReflectionTemplate> ReflectionTemplates { get => _templates; init { _templates = value; _lookups = null; } }

    /// <summary>The competence with this id, or null.</summary>
    public Competence? FindCompetence(string id) => Index.Competences.GetValueOrDefault(id);

    /// <summary>The rule with this id, or null.</summary>
    public AlignmentRule? FindRule(string id) => Index.Rules.GetValueOrDefault(id);

    /// <summary>The role with this id, or null.</summary>
    public Role? FindRole(string id) => Index.Roles.GetValueOrDefault(id);

    /// <summary>The rules that list <paramref name="verbIri"/>, in framework order; an empty list when none. O(1).</summary>
    public IReadOnlyList<AlignmentRule> RulesForVerb(string verbIri) =>
        Index.RulesByVerb.TryGetValue(verbIri, out var rules) ? rules : [];

    /// <summary>Every verb of every rule: the statements worth scanning when evidence is rebuilt.</summary>
    public IReadOnlySet<string> EvidenceVerbs => Index.EvidenceVerbs;

    /// <summary>Whether <paramref name="verbIri"/> is one of <see cref="SignoffVerbs"/>. O(1).</summary>
    public bool IsSignoffVerb(string verbIri) => Index.SignoffVerbs.Contains(verbIri);

    /// <summary>The position of a competence in <see cref="Competences"/>, or -1.</summary>
    public int OrderOf(string competenceId) => Index.Order.TryGetValue(competenceId, out var i) ? i : -1;

    /// <summary>
    /// The parsed validity of a competence; null when it has none, when the competence is unknown, or when its
    /// validity does not parse (which <see cref="FrameworkDocument.Parse"/> never lets through).
    /// </summary>
    public IsoDuration.Value? ValidityOf(string competenceId) =>
        Index.Validities.TryGetValue(competenceId, out var v) ? v : null;

    /// <summary>The reflection template with this id, or null.</summary>
    public ReflectionTemplate? FindReflectionTemplate(string id) => Index.Templates.GetValueOrDefault(id);

    /// <summary>
    /// The reflection templates triggered by evidence of <paramref name="competenceId"/>, in framework order; an empty
    /// list when none. O(1).
    /// </summary>
    public IReadOnlyList<ReflectionTemplate> ReflectionTemplatesForCompetence(string competenceId) =>
        Index.TemplatesByCompetence.TryGetValue(competenceId, out var templates) ? templates : [];

    /// <summary>
    /// The reflection templates whose verb × activity trigger lists <paramref name="verbIri"/>, in framework order; an
    /// empty list when none. O(1).
    /// </summary>
    public IReadOnlyList<ReflectionTemplate> ReflectionTemplatesForVerb(string verbIri) =>
        Index.TemplatesByVerb.TryGetValue(verbIri, out var templates) ? templates : [];

    /// <summary>
    /// Whether <paramref name="statement"/> may give anything under this framework: evidence (<see cref="EvidenceExtractor.Extract"/>),
    /// a reflection task (<see cref="ReflectionTriggers.Match"/>), a sign-off (<see cref="Signoffs.Recognise"/>) or an answer
    /// (<see cref="Reflection.AnswerFound.Recognise"/>). Those read the statement as a tree; one that none of them could match
    /// (its verb or its activity selected by no rule and no trigger) is not parsed for them. A statement whose object is a
    /// StatementRef, and an answer, are always read.
    /// </summary>
    public bool Reads(Xapi.PreparedStatement statement)
    {
        if (statement.RefTarget is not null || statement.Verb == ReflectionStatements.AnsweredVerb) return true;
        if (statement.ActivityId is not { } id) return false;
        // Evidence is found by a rule of the verb that selects the activity; a competence trigger needs evidence, a statement
        // trigger a template of the verb that selects it.
        var rules = RulesForVerb(statement.Verb);
        for (var i = 0; i < rules.Count; i++)
            if (rules[i].Selects(id, statement.ActivityType)) return true;
        var templates = ReflectionTemplatesForVerb(statement.Verb);
        for (var i = 0; i < templates.Count; i++)
            if (templates[i].Trigger.Selects(id, statement.ActivityType)) return true;
        return false;
    }

    /// <summary>Whether any reflection template has a competence trigger: only then is evidence worth a look.</summary>
    public bool HasCompetenceTriggers => Index.TemplatesByCompetence.Count > 0;

    /// <summary>Whether any reflection template has a verb × activity trigger: only then is the verb worth reading.</summary>
    public bool HasStatementTriggers => Index.TemplatesByVerb.Count > 0;

    private Lookups Index => _lookups ??= new Lookups(this);

    /// <summary>Equal when every list is, item by item, reflection templates included.</summary>
    public bool Equals(Framework? other) =>
        other is not null
        && Competences.SequenceEqual(other.Competences) && Rules.SequenceEqual(other.Rules)
        && Roles.SequenceEqual(other.Roles) && SignoffVerbs.SequenceEqual(other.SignoffVerbs)
        && ReflectionTemplates.SequenceEqual(other.ReflectionTemplates);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(Competences.Count, Rules.Count, Roles.Count, SignoffVerbs.Count, ReflectionTemplates.Count);

    // Built once per framework instance; frameworks are cached per tenant, so this runs once per framework change.
    // A framework made in code may carry duplicate ids: the first one wins, as everywhere else.
    private sealed class Lookups
    {
        public readonly FrozenDictionary<string, Competence> Competences;
        public readonly FrozenDictionary<string, int> Order;
        public readonly FrozenDictionary<string, IsoDuration.Value> Validities;
        public readonly FrozenDictionary<string, Role> Roles;
        public readonly FrozenDictionary<string, AlignmentRule> Rules;
        public readonly FrozenDictionary<string, AlignmentRule[]> RulesByVerb;
        public readonly FrozenSet<string> EvidenceVerbs;
        public readonly FrozenSet<string> SignoffVerbs;
        public readonly FrozenDictionary<string, ReflectionTemplate> Templates;
        public readonly FrozenDictionary<string, ReflectionTemplate[]> TemplatesByCompetence;
        public readonly FrozenDictionary<string, ReflectionTemplate[]> TemplatesByVerb;

        public Lookups(Framework framework)
        {
            var competences = new Dictionary<string, Competence>(StringComparer.Ordinal);
            var order = new Dictionary<string, int>(StringComparer.Ordinal);
            var validities = new Dictionary<string, IsoDuration.Value>(StringComparer.Ordinal);
            for (var i = 0; i < framework.Competences.Count; i++)
            {
                var c = framework.Competences[i];
                if (!competences.TryAdd(c.Id, c)) continue;
                order[c.Id] = i;
                if (c.Validity is { } text && IsoDuration.TryParse(text, out var validity)) validities[c.Id] = validity;
            }
            var roles = new Dictionary<string, Role>(StringComparer.Ordinal);
            foreach (var r in framework.Roles) roles.TryAdd(r.Id, r);

            var rules = new Dictionary<string, AlignmentRule>(StringComparer.Ordinal);
            var byVerb = new Dictionary<string, List<AlignmentRule>>(StringComparer.Ordinal);
            foreach (var rule in framework.Rules)
            {
                rules.TryAdd(rule.Id, rule);
                foreach (var verb in rule.Verbs.Distinct(StringComparer.Ordinal))
                {
                    if (!byVerb.TryGetValue(verb, out var list)) byVerb[verb] = list = [];
                    list.Add(rule);
                }
            }

            var templates = new Dictionary<string, ReflectionTemplate>(StringComparer.Ordinal);
            var templatesByCompetence = new Dictionary<string, List<ReflectionTemplate>>(StringComparer.Ordinal);
            var templatesByVerb = new Dictionary<string, List<ReflectionTemplate>>(StringComparer.Ordinal);
            foreach (var template in framework.ReflectionTemplates)
            {
                if (!templates.TryAdd(template.Id, template)) continue;
                if (template.Trigger.CompetenceId is { } competenceId)
                {
                    if (!templatesByCompetence.TryGetValue(competenceId, out var list)) templatesByCompetence[competenceId] = list = [];
                    list.Add(template);
                }
                else
                {
                    foreach (var verb in template.Trigger.Verbs.Distinct(StringComparer.Ordinal))
                    {
                        if (!templatesByVerb.TryGetValue(verb, out var list)) templatesByVerb[verb] = list = [];
                        list.Add(template);
                    }
                }
            }

            Competences = competences.ToFrozenDictionary(StringComparer.Ordinal);
            Order = order.ToFrozenDictionary(StringComparer.Ordinal);
            Validities = validities.ToFrozenDictionary(StringComparer.Ordinal);
            Roles = roles.ToFrozenDictionary(StringComparer.Ordinal);
            Rules = rules.ToFrozenDictionary(StringComparer.Ordinal);
            RulesByVerb = byVerb.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
            EvidenceVerbs = byVerb.Keys.ToFrozenSet(StringComparer.Ordinal);
            SignoffVerbs = framework.SignoffVerbs.ToFrozenSet(StringComparer.Ordinal);
            Templates = templates.ToFrozenDictionary(StringComparer.Ordinal);
            TemplatesByCompetence = templatesByCompetence.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
            TemplatesByVerb = templatesByVerb.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        }
    }
}
