using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.People;

/// <summary>
/// Reads the bodies of the bulk upserts (a JSON array of people, or of organisations) and reports every broken rule
/// with its JSON path, so an HR system learns about all of them in one response. What needs the store (does the
/// organisation exist, is the agent someone else's) is judged by <see cref="PeopleSync"/>.
/// </summary>
public static class PeopleInput
{
    /// <summary>The most people one request may upsert.</summary>
    public const int MaxPeople = 1000;

    /// <summary>The most organisations one request may upsert.</summary>
    public const int MaxOrganisations = 1000;

    /// <summary>The most units one request may upsert, over all its organisations.</summary>
    public const int MaxUnits = 10_000;

    private const int MaxIdLength = 200;
    private const int MaxNameLength = 300;
    private const int MaxListLength = 100;

    private static readonly string[] PersonProperties = ["id", "organisationId", "name", "email", "hsaId", "units", "roles", "duties", "agents"];
    private static readonly string[] OrganisationProperties = ["id", "name", "hrHomePage", "kind", "units"];
    private static readonly string[] UnitProperties = ["id", "name"];

    /// <summary>Reads an array of people. People are returned only when there is no error at all.</summary>
    public static (IReadOnlyList<PersonUpsert> People, IReadOnlyList<ValidationError> Errors) ReadPeople(JsonNode? body)
    {
        var errors = new List<ValidationError>();
        if (body is not JsonArray array)
        {
            errors.Add(new("$", "must be a JSON array of people"));
            return ([], errors);
        }
        var people = new List<PersonUpsert>(array.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            var path = Index("$", i);
            try
            {
                if (ReadPerson(array[i], path, errors) is not { } person) continue;
                if (!seen.TryAdd(person.Id, i))
                    errors.Add(new(path + ".id", $"repeats the person of {Index("$", seen[person.Id])}; each person appears once per request"));
                else people.Add(person);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or FormatException)
            {
                errors.Add(new(path, "could not be read (repeated property?)"));
            }
        }
        return (errors.Count == 0 ? people : [], errors);
    }

    /// <summary>Reads an array of organisations with their units. Returned only when there is no error at all.</summary>
    public static (IReadOnlyList<OrganisationUpsert> Organisations, IReadOnlyList<ValidationError> Errors) ReadOrganisations(JsonNode? body)
    {
        var errors = new List<ValidationError>();
        if (body is not JsonArray array)
        {
            errors.Add(new("$", "must be a JSON array of organisations"));
            return ([], errors);
        }
        var organisations = new List<OrganisationUpsert>(array.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var seenUnits = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            var path = Index("$", i);
            try
            {
                if (ReadOrganisation(array[i], path, seenUnits, errors) is not { } organisation) continue;
                if (!seen.TryAdd(organisation.Id, i))
                    errors.Add(new(path + ".id", $"repeats the organisation of {Index("$", seen[organisation.Id])}; each organisation appears once per request"));
                else organisations.Add(organisation);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or FormatException)
            {
                errors.Add(new(path, "could not be read (repeated property?)"));
            }
        }
        if (seenUnits.Count > MaxUnits) errors.Add(new("$", $"has {seenUnits.Count} units; at most {MaxUnits} per request"));
        return (errors.Count == 0 ? organisations : [], errors);
    }

    /// <summary>
    /// Whether a text looks like a Swedish personal identity number or coordination number: 10 or 12 digits,
    /// <c>YYMMDD-NNNN</c> / <c>YYYYMMDDNNNN</c> with or without the <c>-</c> (or <c>+</c>), with a plausible month and day
    /// (a coordination number adds 60 to the day).
    /// </summary>
    public static bool LooksLikePersonnummer(string text)
    {
        var digits = text.Length switch
        {
            10 or 12 => text,
            11 or 13 when text[^5] is '-' or '+' => text.Remove(text.Length - 5, 1),
            _ => null,
        };
        if (digits is null || !digits.All(char.IsAsciiDigit)) return false;
        if (digits.Length == 12 && digits[..2] is not ("18" or "19" or "20")) return false;
        var date = digits[^10..];
        var month = int.Parse(date.AsSpan(2, 2), CultureInfo.InvariantCulture);
        var day = int.Parse(date.AsSpan(4, 2), CultureInfo.InvariantCulture);
        return month is >= 1 and <= 12 && (day is >= 1 and <= 31 || day is >= 61 and <= 91);
    }

    /// <summary>Whether a property name means the personnummer, in any of the spellings HR exports use.</summary>
    public static bool IsPersonnummerName(string name)
    {
        var n = new string([.. name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
        return n is "personnummer" or "personnr" or "pnr" or "personalidentitynumber" or "personalnumber" or "personalid"
            or "socialsecuritynumber" or "ssn" or "samordningsnummer" or "coordinationnumber";
    }

    private static PersonUpsert? ReadPerson(JsonNode? node, string path, List<ValidationError> errors)
    {
        if (node is not JsonObject o)
        {
            errors.Add(new(path, "must be a JSON object (a person)"));
            return null;
        }
        var before = errors.Count;
        CheckProperties(o, path, PersonProperties, "a person", errors);
        var id = RequiredId(o, "id", path, errors);
        if (id is not null && LooksLikePersonnummer(id))
            errors.Add(new(path + ".id", "looks like a Swedish personal identity number; use the employer's employee id, since the personnummer is never an identifier here"));
        var organisation = RequiredId(o, "organisationId", path, errors);
        var name = OptionalText(o, "name", path, MaxNameLength, errors);
        var email = OptionalText(o, "email", path, 254, errors);
        if (email is not null && !IsEmail(email)) errors.Add(new(path + ".email", "is not an e-mail address"));
        var hsaId = OptionalText(o, "hsaId", path, 64, errors);
        if (hsaId is not null && hsaId.Any(char.IsWhiteSpace)) errors.Add(new(path + ".hsaId", "must not contain whitespace"));
        var units = IdList(o, "units", path, errors);
        var roles = IdList(o, "roles", path, errors);
        var duties = IdList(o, "duties", path, errors);
        var agents = Agents(o, path, errors);
        if (errors.Count > before) return null;
        return new PersonUpsert(id!, organisation!, name, email, hsaId, units, roles, duties, agents);
    }

    private static OrganisationUpsert? ReadOrganisation(JsonNode? node, string path, Dictionary<string, string> seenUnits, List<ValidationError> errors)
    {
        if (node is not JsonObject o)
        {
            errors.Add(new(path, "must be a JSON object (an organisation)"));
            return null;
        }
        var before = errors.Count;
        CheckProperties(o, path, OrganisationProperties, "an organisation", errors);
        var id = RequiredId(o, "id", path, errors);
        var name = RequiredText(o, "name", path, errors);
        var hrHomePage = OptionalText(o, "hrHomePage", path, 2000, errors);
        if (hrHomePage is not null && !Iri.IsAbsolute(hrHomePage))
            errors.Add(new(path + ".hrHomePage", "must be an absolute IRL (the address of the HR system, e.g. https://hr.solna.se)"));
        var kind = OptionalText(o, "kind", path, 20, errors);
        if (kind is not null && !EmployerKinds.All.Contains(kind))
            errors.Add(new(path + ".kind", $"'{kind}' is none of {string.Join(", ", EmployerKinds.All)}"));
        var units = new List<UnitUpsert>();
        switch (o["units"])
        {
            case null: break;
            case JsonArray array:
                for (var j = 0; j < array.Count; j++)
                {
                    var unitPath = Index(path + ".units", j);
                    if (array[j] is not JsonObject u)
                    {
                        errors.Add(new(unitPath, "must be a JSON object (a unit)"));
                        continue;
                    }
                    CheckProperties(u, unitPath, UnitProperties, "a unit", errors);
                    var unitId = RequiredId(u, "id", unitPath, errors);
                    var unitName = RequiredText(u, "name", unitPath, errors);
                    if (unitId is null || unitName is null) continue;
                    if (!seenUnits.TryAdd(unitId, unitPath))
                        errors.Add(new(unitPath + ".id", $"repeats the unit of {seenUnits[unitId]}; each unit appears once per request"));
                    else units.Add(new UnitUpsert(unitId, unitName));
                }
                break;
            default:
                errors.Add(new(path + ".units", "must be an array of units"));
                break;
        }
        if (errors.Count > before) return null;
        return new OrganisationUpsert(id!, name!, hrHomePage, units, kind);
    }

    private static void CheckProperties(JsonObject o, string path, string[] allowed, string what, List<ValidationError> errors)
    {
        foreach (var (key, _) in o)
        {
            if (Array.IndexOf(allowed, key) >= 0) continue;
            errors.Add(new(path + "." + key, IsPersonnummerName(key)
                ? "a personnummer is never stored or used as an identifier here; leave it out and identify people by their employee id"
                : $"is not a property of {what} (properties: {string.Join(", ", allowed)})"));
        }
    }

    private static string? RequiredId(JsonObject o, string key, string path, List<ValidationError> errors)
    {
        if (o[key] is null)
        {
            errors.Add(new(path + "." + key, "is required"));
            return null;
        }
        return Id(o[key], path + "." + key, errors);
    }

    // Ids travel in URL paths (/api/people/{id}), so they are trimmed text without '/' or control characters.
    private static string? Id(JsonNode? node, string path, List<ValidationError> errors)
    {
        if (!IsString(node, out var text))
        {
            errors.Add(new(path, "must be a string"));
            return null;
        }
        if (text.Length is 0 or > MaxIdLength || text.Trim().Length != text.Length || text.Any(c => char.IsControl(c) || c == '/'))
        {
            errors.Add(new(path, $"must be 1 to {MaxIdLength} characters without surrounding spaces, control characters or '/'"));
            return null;
        }
        return text;
    }

    private static string? RequiredText(JsonObject o, string key, string path, List<ValidationError> errors)
    {
        if (o[key] is null)
        {
            errors.Add(new(path + "." + key, "is required"));
            return null;
        }
        return OptionalText(o, key, path, MaxNameLength, errors);
    }

    private static string? OptionalText(JsonObject o, string key, string path, int maxLength, List<ValidationError> errors)
    {
        var node = o[key];
        if (node is null) return null;
        if (!IsString(node, out var text))
        {
            errors.Add(new(path + "." + key, "must be a string or null"));
            return null;
        }
        text = text.Trim();
        if (text.Length == 0 || text.Length > maxLength || text.Any(char.IsControl))
        {
            errors.Add(new(path + "." + key, $"must be 1 to {maxLength} characters without control characters"));
            return null;
        }
        return text;
    }

    private static IReadOnlyList<string> IdList(JsonObject o, string key, string path, List<ValidationError> errors)
    {
        var node = o[key];
        if (node is null) return [];
        if (node is not JsonArray array || array.Count > MaxListLength)
        {
            errors.Add(new(path + "." + key, $"must be an array of at most {MaxListLength} strings"));
            return [];
        }
        var list = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
            if (Id(array[i], Index(path + "." + key, i), errors) is { } id) list.Add(id);
        return [.. list];
    }

    private static IReadOnlyList<JsonObject> Agents(JsonObject o, string path, List<ValidationError> errors)
    {
        var node = o["agents"];
        if (node is null) return [];
        if (node is not JsonArray array || array.Count > MaxListLength)
        {
            errors.Add(new(path + ".agents", $"must be an array of at most {MaxListLength} xAPI Agents"));
            return [];
        }
        var agents = new List<JsonObject>();
        for (var i = 0; i < array.Count; i++)
        {
            var agentPath = Index(path + ".agents", i);
            var agent = array[i];
            var problems = StatementValidator.ValidateAgentParameter(agent, XapiVersion.V200);
            foreach (var problem in problems) errors.Add(new(agentPath + problem.Path[1..], problem.Message));
            if (problems.Count > 0) continue;
            if (agent!["objectType"] is JsonValue type && type.GetValue<string>() == "Group")
            {
                errors.Add(new(agentPath + ".objectType", "must be \"Agent\": a person is linked to Agents, not Groups"));
                continue;
            }
            if (agent["account"]?["name"] is JsonValue accountName && IsString(accountName, out var account) && LooksLikePersonnummer(account))
            {
                errors.Add(new(agentPath + ".account.name", "looks like a Swedish personal identity number; accounts name people by employee id, since the personnummer is never an identifier here"));
                continue;
            }
            agents.Add(Canonical((JsonObject)agent));
        }
        return agents;
    }

    /// <summary>
    /// The agent with its properties in one fixed order (objectType, name, identifier), so that sending the same
    /// agent again compares equal as text.
    /// </summary>
    public static JsonObject Canonical(JsonObject agent)
    {
        var canonical = new JsonObject { ["objectType"] = "Agent" };
        if (agent["name"] is JsonValue name) canonical["name"] = name.GetValue<string>();
        foreach (var ifi in new[] { "mbox", "mbox_sha1sum", "openid" })
            if (agent[ifi] is JsonValue value) canonical[ifi] = value.GetValue<string>();
        if (agent["account"] is JsonObject account)
            canonical["account"] = new JsonObject
            {
                ["homePage"] = account["homePage"]!.GetValue<string>(),
                ["name"] = account["name"]!.GetValue<string>(),
            };
        return canonical;
    }

    private static bool IsEmail(string text)
    {
        var at = text.IndexOf('@');
        return at > 0 && at == text.LastIndexOf('@') && at < text.Length - 1 && !text.Any(char.IsWhiteSpace);
    }

    private static bool IsString(JsonNode? node, out string text)
    {
        text = "";
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String) return false;
        text = value.GetValue<string>();
        return true;
    }

    private static string Index(string path, int i) => string.Concat(path, "[", i.ToString(CultureInfo.InvariantCulture), "]");
}
