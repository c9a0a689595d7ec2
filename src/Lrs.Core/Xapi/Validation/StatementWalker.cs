using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>
/// One validation pass over one Statement. Each method checks one kind of xAPI object at a JSON path and records
/// errors instead of stopping, so the client learns about every problem in one response.
/// </summary>
internal sealed class StatementWalker(XapiVersion version)
{
    private const string VoidedVerb = "http://adlnet.gov/expapi/verbs/voided";

    // Allowed member names per object kind. Arrays are tiny, so a linear ordinal search beats hashing.
    private static readonly string[] StatementKeys =
        ["id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments"];
    private static readonly string[] SubStatementKeys =
        ["objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"];
    private static readonly string[] SubStatementForbidden = ["id", "stored", "version", "authority"];
    private static readonly string[] AgentKeys = ["objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"];
    private static readonly string[] GroupKeys = ["objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account"];
    private static readonly string[] IfiKeys = ["mbox", "mbox_sha1sum", "openid", "account"];
    private static readonly string[] AccountKeys = ["homePage", "name"];
    private static readonly string[] VerbKeys = ["id", "display"];
    private static readonly string[] ActivityKeys = ["objectType", "id", "definition"];
    private static readonly string[] DefinitionKeys =
    [
        "name", "description", "type", "moreInfo", "extensions", "interactionType", "correctResponsesPattern",
        "choices", "scale", "source", "target", "steps",
    ];
    private static readonly string[] ComponentListKeys = ["choices", "scale", "source", "target", "steps"];
    private static readonly string[] ComponentKeys = ["id", "description"];
    private static readonly string[] InteractionTypes =
        ["true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing", "likert", "numeric", "other"];
    private static readonly string[] StatementRefKeys = ["objectType", "id"];
    private static readonly string[] ResultKeys = ["score", "success", "completion", "response", "duration", "extensions"];
    private static readonly string[] ScoreKeys = ["scaled", "raw", "min", "max"];
    private static readonly string[] ContextKeys103 =
        ["registration", "instructor", "team", "contextActivities", "revision", "platform", "language", "statement", "extensions"];
    private static readonly string[] ContextKeys200 =
    [
        "registration", "instructor", "team", "contextActivities", "revision", "platform", "language", "statement", "extensions",
        "contextAgents", "contextGroups",
    ];
    private static readonly string[] ContextActivitiesKeys = ["parent", "grouping", "category", "other"];
    private static readonly string[] ContextAgentKeys = ["objectType", "agent", "relevantTypes"];
    private static readonly string[] ContextGroupKeys = ["objectType", "group", "relevantTypes"];
    private static readonly string[] AttachmentKeys = ["usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"];

    private List<ValidationError>? _errors;

    public IReadOnlyList<ValidationError> Result => _errors is null ? Array.Empty<ValidationError>() : _errors;

    public void Add(string path, string message) => (_errors ??= []).Add(new ValidationError(path, message));

    private static string Child(string path, string key) => JsonPaths.Child(path, key);

    private static string Index(string path, int i) => JsonPaths.Index(path, i);

    // ---------------------------------------------------------------- Statement

    public void Statement(JsonNode? node, string path, bool isSubStatement)
    {
        if (node is not JsonObject obj)
        {
            Add(path, isSubStatement ? "a SubStatement must be a JSON object" : "a statement must be a JSON object");
            return;
        }

        foreach (var (key, value) in obj.MembersOf())
        {
            if (isSubStatement && Array.IndexOf(SubStatementForbidden, key) >= 0)
                Add(Child(path, key), "a SubStatement must not have this property");
            else if (Array.IndexOf(isSubStatement ? SubStatementKeys : StatementKeys, key) < 0)
                Add(Child(path, key), isSubStatement ? "is not a property of a SubStatement" : "is not a property of a statement");
            else if (value is null)
                Add(Child(path, key), "must not be null");
        }

        if (!isSubStatement) Uuid(obj["id"], Child(path, "id"));

        // A present-but-null property was reported above; only a missing one is reported as missing.
        if (obj["actor"] is { } actor) Actor(actor, Child(path, "actor"));
        else if (!obj.ContainsKey("actor")) Add(Child(path, "actor"), "is required");

        string? verbId = null;
        if (obj["verb"] is { } verb) verbId = Verb(verb, Child(path, "verb"));
        else if (!obj.ContainsKey("verb")) Add(Child(path, "verb"), "is required");

        string? objectType = null;
        if (obj["object"] is { } @object) objectType = Object(@object, Child(path, "object"), isSubStatement);
        else if (!obj.ContainsKey("object")) Add(Child(path, "object"), "is required");

        if (obj["result"] is { } result) Result_(result, Child(path, "result"));
        if (obj["context"] is { } context) Context(context, Child(path, "context"), objectType is null or "Activity");
        if (obj["timestamp"] is { } timestamp) Timestamp(timestamp, Child(path, "timestamp"));
        if (obj["attachments"] is { } attachments) Attachments(attachments, Child(path, "attachments"));

        if (!isSubStatement)
        {
            if (obj["stored"] is { } stored) Timestamp(stored, Child(path, "stored"));
            if (obj["authority"] is { } authority) Authority(authority, Child(path, "authority"));
            if (obj["version"] is { } v) Version(v, Child(path, "version"));

            // Only a top-level statement voids anything; its target has to be named by a StatementRef.
            if (verbId == VoidedVerb && obj["object"] is JsonObject && objectType != "StatementRef")
                Add(Child(path, "object"), "a voiding statement's object must be a StatementRef");
        }
    }

    // ---------------------------------------------------------------- Agents and Groups

    /// <summary>An Agent or Group where objectType may be left out for an Agent (actor, instructor, member...).</summary>
    private void Actor(JsonNode? node, string path)
    {
        if (node is not JsonObject obj) { NotObject(node, path); return; }
        switch (ObjectType(obj, path))
        {
            case null or "Agent": Agent(obj, path, requireObjectType: false); break;
            case "Group": Group(obj, path); break;
            case { } other: BadObjectType(path, other, "\"Agent\" or \"Group\""); break;
        }
    }

    private void Agent(JsonObject obj, string path, bool requireObjectType)
    {
        CheckMembers(obj, path, AgentKeys, "an Agent");
        var objectType = ObjectType(obj, path);
        if (objectType is null && requireObjectType) Add(Child(path, "objectType"), "is required");
        else if (objectType is not null and not "Agent") BadObjectType(path, objectType, "\"Agent\"");
        OptionalString(obj, "name", path);
        int ifis = Ifis(obj, path);
        if (ifis == 0) Add(path, "an Agent needs one of mbox, mbox_sha1sum, openid or account");
        else if (ifis > 1) Add(path, "an Agent must have exactly one of mbox, mbox_sha1sum, openid or account");
    }

    /// <summary>Checks a Group and returns how many members it lists (-1 when there is no usable member array).</summary>
    private int Group(JsonObject obj, string path)
    {
        CheckMembers(obj, path, GroupKeys, "a Group");
        OptionalString(obj, "name", path);
        int ifis = Ifis(obj, path);
        if (ifis > 1) Add(path, "a Group must have at most one of mbox, mbox_sha1sum, openid or account");

        int members = -1;
        if (obj["member"] is { } member)
        {
            if (member is JsonArray array)
            {
                members = array.Count;
                for (int i = 0; i < array.Count; i++)
                {
                    string mPath = Index(Child(path, "member"), i);
                    if (array[i] is not JsonObject m) { NotObject(array[i], mPath); continue; }
                    var mType = ObjectType(m, mPath);
                    if (mType == "Group") Add(Child(mPath, "objectType"), "a Group member must be an Agent, not a Group");
                    else Agent(m, mPath, requireObjectType: false);
                }
                if (ifis == 0 && array.Count == 0) Add(Child(path, "member"), "an anonymous Group must list at least one member");
            }
            else Add(Child(path, "member"), "must be an array");
        }
        else if (ifis == 0 && !obj.ContainsKey("member"))
        {
            Add(Child(path, "member"), "an anonymous Group must list its members");
        }
        return members;
    }

    /// <summary>Validates whichever Inverse Functional Identifiers are present and returns how many there are.</summary>
    private int Ifis(JsonObject obj, string path)
    {
        int count = 0;
        foreach (var key in IfiKeys)
        {
            if (!obj.TryGetPropertyValue(key, out var value)) continue;
            count++;
            if (value is null) continue; // reported as null already
            string p = Child(path, key);
            switch (key)
            {
                case "mbox":
                    if (!JsonRead.TryString(value, out var mbox)) Add(p, "must be a string");
                    else if (!XapiFormats.IsMailto(mbox)) Add(p, "must be a mailto IRI with one e-mail address");
                    break;
                case "mbox_sha1sum":
                    if (!JsonRead.TryString(value, out var sha)) Add(p, "must be a string");
                    else if (!XapiFormats.IsSha1Hex(sha)) Add(p, "must be 40 hexadecimal digits");
                    break;
                case "openid":
                    IriValue(value, p);
                    break;
                case "account":
                    Account(value, p);
                    break;
            }
        }
        return count;
    }

    private void Account(JsonNode node, string path)
    {
        if (node is not JsonObject obj) { NotObject(node, path); return; }
        CheckMembers(obj, path, AccountKeys, "an account");
        if (obj.ContainsKey("homePage")) IriValue(obj["homePage"], Child(path, "homePage"));
        else Add(Child(path, "homePage"), "is required");
        if (obj.ContainsKey("name")) { if (obj["name"] is { } n && !JsonRead.TryString(n, out _)) Add(Child(path, "name"), "must be a string"); }
        else Add(Child(path, "name"), "is required");
    }

    private void Authority(JsonNode node, string path)
    {
        if (node is not JsonObject obj) { NotObject(node, path); return; }
        switch (ObjectType(obj, path))
        {
            case null or "Agent":
                Agent(obj, path, requireObjectType: false);
                break;
            case "Group":
                // Only three-legged OAuth puts a Group here: an anonymous pair of the application and the user.
                int members = Group(obj, path);
                foreach (var key in IfiKeys)
                {
                    if (obj.ContainsKey(key)) { Add(Child(path, key), "an authority Group must be anonymous"); break; }
                }
                // A non-array member was reported by Group already.
                if (members != 2 && !(members < 0 && obj.ContainsKey("member")))
                    Add(Child(path, "member"), "an authority Group must have exactly two Agents");
                break;
            case { } other:
                BadObjectType(path, other, "\"Agent\" or \"Group\"");
                break;
        }
    }

    private static bool HasIfi(JsonObject obj)
    {
        foreach (var key in IfiKeys) if (obj.ContainsKey(key)) return true;
        return false;
    }

    /// <summary>The <c>agent</c> query parameter: an Agent or an Identified Group.</summary>
    public void AgentParameter(JsonNode? node, string path)
    {
        if (node is not JsonObject obj) { Add(path, "the agent must be a JSON object"); return; }
        switch (ObjectType(obj, path))
        {
            case null or "Agent":
                Agent(obj, path, requireObjectType: false);
                break;
            case "Group":
                Group(obj, path);
                if (!HasIfi(obj)) Add(path, "the agent parameter needs an Identified Group (one of mbox, mbox_sha1sum, openid or account)");
                break;
            case { } other:
                BadObjectType(path, other, "\"Agent\" or \"Group\"");
                break;
        }
    }

    // ---------------------------------------------------------------- Verb

    /// <summary>Checks a Verb and returns its id when it is a string.</summary>
    private string? Verb(JsonNode? node, string path)
    {
        if (node is not JsonObject obj) { NotObject(node, path); return null; }
        CheckMembers(obj, path, VerbKeys, "a Verb");
        string? id = null;
        if (obj.ContainsKey("id")) id = IriValue(obj["id"], Child(path, "id"));
        else Add(Child(path, "id"), "is required");
        if (obj["display"] is { } display) LanguageMap(display, Child(path, "display"));
        return id;
    }

    // ---------------------------------------------------------------- Object

    /// <summary>Checks the statement's object and returns its effective objectType (null when unreadable).</summary>
    private string? Object(JsonNode? node, string path, bool inSubStatement)
    {
        if (node is not JsonObject obj) { NotObject(node, path); return null; }
        var objectType = ObjectType(obj, path);
        switch (objectType)
        {
            case null:
                // Without objectType the object is an Activity; an Agent or Group there is a common mistake worth naming.
                if (HasIfi(obj) || obj.ContainsKey("member"))
                {
                    Add(Child(path, "objectType"), "is required when the object is an Agent or Group");
                    return null;
                }
                Activity(obj, path);
                return "Activity";
            case "Activity":
                Activity(obj, path);
                return objectType;
            case "Agent":
                Agent(obj, path, requireObjectType: true);
                return objectType;
            case "Group":
                Group(obj, path);
                return objectType;
            case "StatementRef":
                StatementRef(obj, path);
                return objectType;
            case "SubStatement":
                if (inSubStatement) Add(Child(path, "objectType"), "a SubStatement cannot contain a SubStatement");
                else Statement(obj, path, isSubStatement: true);
                return objectType;
            default:
                BadObjectType(path, objectType, "Activity, Agent, Group, StatementRef or SubStatement");
                return null;
        }
    }

    private void Activity(JsonObject obj, string path)
    {
        CheckMembers(obj, path, ActivityKeys, "an Activity");
        var objectType = ObjectType(obj, path);
        if (objectType is not null and not "Activity") BadObjectType(path, objectType, "\"Activity\"");
        if (obj.ContainsKey("id")) IriValue(obj["id"], Child(path, "id"));
        else Add(Child(path, "id"), "is required");
        if (obj["definition"] is { } definition) Definition(definition, Child(path, "definition"));
    }

    private void ActivityNode(JsonNode? node, string path)
    {
        if (node is JsonObject obj) Activity(obj, path);
        else NotObject(node, path);
    }

    private void Definition(JsonNode node, string path)
    {
        if (node is not JsonObject obj) { NotObject(node, path); return; }
        CheckMembers(obj, path, DefinitionKeys, "an Activity definition");
        if (obj["name"] is { } name) LanguageMap(name, Child(path, "name"));
        if (obj["description"] is { } description) LanguageMap(description, Child(path, "description"));
        if (obj["type"] is { } type) IriValue(type, Child(path, "type"));
        if (obj["moreInfo"] is { } moreInfo) IriValue(moreInfo, Child(path, "moreInfo"));
        if (obj["extensions"] is { } extensions) Extensions(extensions, Child(path, "extensions"));

        string? interactionType = null;
        bool hasInteractionType = obj.ContainsKey("interactionType");
        if (obj["interactionType"] is { } it)
        {
            if (!JsonRead.TryString(it, out var s)) Add(Child(path, "interactionType"), "must be a string");
            // Enumerated values are case-sensitive: "Choice" is not "choice".
            else if (Array.IndexOf(InteractionTypes, s) < 0) Add(Child(path, "interactionType"), "is not a known interaction type");
            else interactionType = s;
        }

        if (obj["correctResponsesPattern"] is { } crp)
        {
            string p = Child(path, "correctResponsesPattern");
            if (crp is not JsonArray array) Add(p, "must be an array of strings");
            else
            {
                for (int i = 0; i < array.Count; i++)
                {
                    if (array[i] is null) Add(Index(p, i), "must not be null");
                    else if (!JsonRead.TryString(array[i], out _)) Add(Index(p, i), "must be a string");
                }
            }
        }

        bool interactionPropertyUsed = obj.ContainsKey("correctResponsesPattern");
        foreach (var listKey in ComponentListKeys)
        {
            if (!obj.ContainsKey(listKey)) continue;
            interactionPropertyUsed = true;
            string p = Child(path, listKey);
            if (obj[listKey] is { } list) ComponentList(list, p);
            if (interactionType is not null && !ComponentAllowed(interactionType, listKey))
                Add(p, $"is not used with interactionType \"{interactionType}\"");
        }
        if (interactionPropertyUsed && !hasInteractionType)
            Add(Child(path, "interactionType"), "is required when interaction properties are used");
    }

    // Which interaction component list belongs to which interaction type (Data 2.4.4.1, Interaction Components).
    private static bool ComponentAllowed(string interactionType, string listKey) => listKey switch
    {
        "choices" => interactionType is "choice" or "sequencing",
        "scale" => interactionType is "likert",
        "source" or "target" => interactionType is "matching",
        "steps" => interactionType is "performance",
        _ => false,
    };

    private void ComponentList(JsonNode node, string path)
    {
        if (node is not JsonArray array) { Add(path, "must be an array"); return; }
        HashSet<string>? seen = null;
        for (int i = 0; i < array.Count; i++)
        {
            string p = Index(path, i);
            if (array[i] is not JsonObject c) { NotObject(array[i], p); continue; }
            CheckMembers(c, p, ComponentKeys, "an interaction component");
            if (c.ContainsKey("id"))
            {
                if (c["id"] is { } idNode)
                {
                    if (!JsonRead.TryString(idNode, out var id)) Add(Child(p, "id"), "must be a string");
                    else if (id.Length == 0) Add(Child(p, "id"), "must not be empty");
                    else if (!(seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(id))
                        Add(Child(p, "id"), "must be unique within the list");
                }
            }
            else Add(Child(p, "id"), "is required");
            if (c["description"] is { } description) LanguageMap(description, Child(p, "description"));
        }
    }

    private void StatementRef(JsonObject obj, string path)
    {
        CheckMembers(obj, path, StatementRefKeys, "a StatementRef");
        if (obj.ContainsKey("id")) Uuid(obj["id"], Child(path, "id"));
        else Add(Child(path, "id"), "is required");
    }

    // ---------------------------------------------------------------- Result

    private void Result_(JsonNode node, string path)
    {
        if (node is not JsonObject obj) { NotObject(node, path); return; }
        CheckMembers(obj, path, ResultKeys, "a Result");
        if (obj["score"] is { } score) Score(score, Child(path, "score"));
        if (obj["success"] is { } success && !JsonRead.IsBoolean(success)) Add(Child(path, "success"), "must be true or false");
        if (obj["completion"] is { } completion && !JsonRead.IsBoolean(completion)) Add(Child(path, "completion"), "must be true or false");
        OptionalString(obj, "response", path);
        if (obj["duration"] is { } duration)
        {
            if (!JsonRead.TryString(duration, out var d)) Add(Child(path, "duration"), "must be a string");
            else if (!XapiFormats.IsDuration(d)) Add(Child(path, "duration"), "must be an ISO 8601 duration such as PT1H30M");
        }
        if (obj["extensions"] is { } extensions) Extensions(extensions, Child(path, "extensions"));
    }

    private void Score(JsonNode node, string path)
    {
        if (node is not JsonObject obj) { NotObject(node, path); return; }
        CheckMembers(obj, path, ScoreKeys, "a Score");
        double? scaled = Number(obj, "scaled", path), raw = Number(obj, "raw", path);
        double? min = Number(obj, "min", path), max = Number(obj, "max", path);
        if (scaled is < -1 or > 1) Add(Child(path, "scaled"), "must be between -1 and 1");
        if (min is not null && max is not null && max <= min) Add(Child(path, "max"), "must be greater than min");
        if (raw is not null && min is not null && raw < min) Add(Child(path, "raw"), "must not be less than min");
        if (raw is not null && max is not null && raw > max) Add(Child(path, "raw"), "must not be greater than max");
    }

    private double? Number(JsonObject obj, string key, string path)
    {
        if (obj[key] is not { } node) return null;
        if (JsonRead.TryNumber(node, out var d)) return d;
        Add(Child(path, key), "must be a number");
        return null;
    }

    // ---------------------------------------------------------------- Context

    private void Context(JsonNode node, string path, bool objectIsActivity)
    {
        if (node is not JsonObject obj) { NotObject(node, path); return; }
        // contextAgents and contextGroups arrived with 2.0; under 1.0.3 they are unknown properties.
        CheckMembers(obj, path, version == XapiVersion.V200 ? ContextKeys200 : ContextKeys103, "a Context");

        if (obj["registration"] is { } registration) Uuid(registration, Child(path, "registration"));
        if (obj["instructor"] is { } instructor) Actor(instructor, Child(path, "instructor"));
        if (obj["team"] is { } team)
        {
            string p = Child(path, "team");
            if (team is not JsonObject t) NotObject(team, p);
            else if (ObjectType(t, p) is "Group") Group(t, p);
            else Add(Child(p, "objectType"), "team must be a Group with objectType \"Group\"");
        }
        if (obj["contextActivities"] is { } ca) ContextActivities(ca, Child(path, "contextActivities"));
        foreach (var key in (ReadOnlySpan<string>)["revision", "platform"])
        {
            if (!obj.ContainsKey(key)) continue;
            OptionalString(obj, key, path);
            if (!objectIsActivity) Add(Child(path, key), "is only allowed when the statement's object is an Activity");
        }
        if (obj["language"] is { } language)
        {
            if (!JsonRead.TryString(language, out var tag)) Add(Child(path, "language"), "must be a string");
            else if (!LanguageTag.IsValid(tag)) Add(Child(path, "language"), "must be an RFC 5646 language tag");
        }
        if (obj["statement"] is { } statement)
        {
            string p = Child(path, "statement");
            if (statement is not JsonObject s) NotObject(statement, p);
            else
            {
                var t = ObjectType(s, p);
                if (t is null) Add(Child(p, "objectType"), "is required");
                else if (t != "StatementRef") BadObjectType(p, t, "\"StatementRef\"");
                StatementRef(s, p);
            }
        }
        if (obj["extensions"] is { } extensions) Extensions(extensions, Child(path, "extensions"));

        if (version == XapiVersion.V200)
        {
            if (obj["contextAgents"] is { } agents) ContextAgents(agents, Child(path, "contextAgents"), group: false);
            if (obj["contextGroups"] is { } groups) ContextAgents(groups, Child(path, "contextGroups"), group: true);
        }
    }

    private void ContextActivities(JsonNode node, string path)
    {
        if (node is not JsonObject obj) { NotObject(node, path); return; }
        CheckMembers(obj, path, ContextActivitiesKeys, "contextActivities");
        foreach (var key in ContextActivitiesKeys)
        {
            if (obj[key] is not { } value) continue;
            string p = Child(path, key);
            // A single Activity is allowed on input; the LRS returns it as an array of one.
            if (value is JsonArray array)
            {
                for (int i = 0; i < array.Count; i++) ActivityNode(array[i], Index(p, i));
            }
            else if (value is JsonObject) ActivityNode(value, p);
            else Add(p, "must be an Activity or an array of Activities");
        }
    }

    /// <summary>xAPI 2.0 contextAgents (<paramref name="group"/> false) or contextGroups (true).</summary>
    private void ContextAgents(JsonNode node, string path, bool group)
    {
        if (node is not JsonArray array) { Add(path, "must be an array"); return; }
        string expectedType = group ? "contextGroup" : "contextAgent";
        string memberKey = group ? "group" : "agent";
        for (int i = 0; i < array.Count; i++)
        {
            string p = Index(path, i);
            if (array[i] is not JsonObject obj) { NotObject(array[i], p); continue; }
            CheckMembers(obj, p, group ? ContextGroupKeys : ContextAgentKeys, $"a {expectedType}");

            if (!obj.ContainsKey("objectType")) Add(Child(p, "objectType"), "is required");
            else if (obj["objectType"] is { } ot && (!JsonRead.TryString(ot, out var t) || t != expectedType))
                Add(Child(p, "objectType"), $"must be \"{expectedType}\"");

            string mp = Child(p, memberKey);
            if (!obj.ContainsKey(memberKey)) Add(mp, "is required");
            else if (obj[memberKey] is { } member)
            {
                if (member is not JsonObject m) NotObject(member, mp);
                else if (group)
                {
                    if (ObjectType(m, mp) is "Group") Group(m, mp);
                    else Add(Child(mp, "objectType"), "must be \"Group\"");
                }
                else
                {
                    if (ObjectType(m, mp) is "Group") Add(Child(mp, "objectType"), "a contextAgent's agent must be an Agent");
                    else Agent(m, mp, requireObjectType: false);
                }
            }

            if (obj["relevantTypes"] is { } relevant)
            {
                string rp = Child(p, "relevantTypes");
                if (relevant is not JsonArray types) Add(rp, "must be an array of IRIs");
                else if (types.Count == 0) Add(rp, "must not be empty");
                else for (int j = 0; j < types.Count; j++) IriValue(types[j], Index(rp, j));
            }
        }
    }

    // ---------------------------------------------------------------- Timestamp, version, attachments

    private void Timestamp(JsonNode node, string path)
    {
        if (!JsonRead.TryString(node, out var s)) { Add(path, "must be a string"); return; }
        if (!XapiTimestamp.TryParse(s, version, out _))
            Add(path, version == XapiVersion.V200 ? "must be an RFC 3339 timestamp" : "must be an ISO 8601 timestamp");
    }

    private void Version(JsonNode node, string path)
    {
        if (!JsonRead.TryString(node, out var s)) { Add(path, "must be a string"); return; }
        // Under 1.0.3 only 1.0.x; the 2.0 suite also accepts 1.0.x statements, so 2.0 takes both families.
        bool ok = IsVersion(s, "1.0") || (version == XapiVersion.V200 && IsVersion(s, "2.0"));
        if (!ok) Add(path, version == XapiVersion.V200 ? "must be 1.0.x or 2.0.x" : "must be 1.0.x");
    }

    private static bool IsVersion(string s, string family)
    {
        if (!s.StartsWith(family, StringComparison.Ordinal)) return false;
        if (s.Length == family.Length) return true;
        if (s[family.Length] != '.' || s.Length == family.Length + 1) return false;
        for (int i = family.Length + 1; i < s.Length; i++) if (!char.IsAsciiDigit(s[i])) return false;
        return true;
    }

    private void Attachments(JsonNode node, string path)
    {
        if (node is not JsonArray array) { Add(path, "must be an array"); return; }
        for (int i = 0; i < array.Count; i++)
        {
            string p = Index(path, i);
            if (array[i] is not JsonObject a) { NotObject(array[i], p); continue; }
            CheckMembers(a, p, AttachmentKeys, "an Attachment");

            if (a.ContainsKey("usageType")) IriValue(a["usageType"], Child(p, "usageType"));
            else Add(Child(p, "usageType"), "is required");

            if (a.ContainsKey("display")) { if (a["display"] is { } d) LanguageMap(d, Child(p, "display")); }
            else Add(Child(p, "display"), "is required");
            if (a["description"] is { } description) LanguageMap(description, Child(p, "description"));

            if (a.ContainsKey("contentType"))
            {
                if (a["contentType"] is { } ct && (!JsonRead.TryString(ct, out var type) || !IsMediaType(type)))
                    Add(Child(p, "contentType"), "must be an Internet media type such as text/plain");
            }
            else Add(Child(p, "contentType"), "is required");

            if (a.ContainsKey("length"))
            {
                if (a["length"] is { } len && (!JsonRead.TryNumber(len, out var n) || n < 0 || n != Math.Floor(n)))
                    Add(Child(p, "length"), "must be a non-negative integer");
            }
            else Add(Child(p, "length"), "is required");

            if (a.ContainsKey("sha2"))
            {
                if (a["sha2"] is { } sha && (!JsonRead.TryString(sha, out var hash) || !IsHex(hash)))
                    Add(Child(p, "sha2"), "must be a hexadecimal SHA-2 hash");
            }
            else Add(Child(p, "sha2"), "is required");

            if (a["fileUrl"] is { } fileUrl) IriValue(fileUrl, Child(p, "fileUrl"));
        }
    }

    // type "/" subtype, each a non-empty RFC 6838 token; parameters (";...") allowed.
    private static bool IsMediaType(string s)
    {
        int slash = s.IndexOf('/');
        if (slash <= 0 || slash == s.Length - 1) return false;
        int end = s.IndexOf(';');
        if (end < 0) end = s.Length;
        if (end <= slash + 1) return false;
        for (int i = 0; i < end; i++)
        {
            char c = s[i];
            if (i == slash) continue;
            if (!(char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '&' or '-' or '^' or '_' or '.' or '+')) return false;
        }
        return true;
    }

    // SHA-224 to SHA-512 in hex: 56 to 128 digits.
    private static bool IsHex(string s)
    {
        if (s.Length is < 56 or > 128) return false;
        foreach (char c in s) if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }

    // ---------------------------------------------------------------- Shared value types

    private void LanguageMap(JsonNode node, string path)
    {
        if (node is not JsonObject obj) { Add(path, "must be a language map object"); return; }
        foreach (var (key, value) in obj.MembersOf())
        {
            if (!LanguageTag.IsValid(key)) Add(Child(path, key), "is not a valid RFC 5646 language tag");
            if (value is null) Add(Child(path, key), "must not be null");
            else if (!JsonRead.TryString(value, out _)) Add(Child(path, key), "must be a string");
        }
    }

    private void Extensions(JsonNode node, string path)
    {
        if (node is not JsonObject obj) { Add(path, "must be an object"); return; }
        // Values are the extension owner's business, null included; only keys are judged.
        foreach (var (key, _) in obj.MembersOf())
        {
            if (!Iri.IsAbsolute(key)) Add(Child(path, key), "extension keys must be absolute IRIs");
        }
    }

    /// <summary>Checks an IRI/IRL value and returns it when it is a string.</summary>
    private string? IriValue(JsonNode? node, string path)
    {
        if (node is null) return null; // a missing value is judged by the caller, a null one by CheckMembers
        if (!JsonRead.TryString(node, out var s)) { Add(path, "must be a string"); return null; }
        if (!Iri.IsAbsolute(s)) Add(path, "must be an absolute IRI");
        return s;
    }

    private void Uuid(JsonNode? node, string path)
    {
        if (node is null) return;
        if (!JsonRead.TryString(node, out var s)) { Add(path, "must be a string"); return; }
        if (!XapiFormats.IsUuid(s)) Add(path, "must be a UUID");
    }

    private void OptionalString(JsonObject obj, string key, string path)
    {
        if (obj[key] is { } value && !JsonRead.TryString(value, out _)) Add(Child(path, key), "must be a string");
    }

    /// <summary>Reads objectType: null when absent, the string when it is one; reports a non-string and returns "".</summary>
    private string? ObjectType(JsonObject obj, string path)
    {
        if (!obj.TryGetPropertyValue("objectType", out var node) || node is null) return null;
        if (JsonRead.TryString(node, out var s)) return s;
        Add(Child(path, "objectType"), "must be a string");
        return "";
    }

    private void BadObjectType(string path, string actual, string expected)
    {
        // "" means the non-string case, already reported.
        if (actual.Length > 0) Add(Child(path, "objectType"), $"must be {expected}");
    }

    private void NotObject(JsonNode? node, string path)
    {
        Add(path, node is null ? "must not be null" : "must be an object");
    }

    /// <summary>Reports unknown members (names are case-sensitive) and null values.</summary>
    private void CheckMembers(JsonObject obj, string path, string[] allowed, string what)
    {
        foreach (var (key, value) in obj.MembersOf())
        {
            if (Array.IndexOf(allowed, key) < 0) Add(Child(path, key), $"is not a property of {what}");
            else if (value is null) Add(Child(path, key), "must not be null");
        }
    }
}
