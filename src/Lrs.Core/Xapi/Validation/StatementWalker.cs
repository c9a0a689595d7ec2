using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Lrs.Core.Xapi;

/// <summary>
/// One validation pass over one Statement. Each method checks one kind of xAPI object at a JSON path and records
/// errors instead of stopping, so the client learns about every problem in one response.
/// </summary>
/// <remarks>
/// It runs on every statement the LRS is sent, so it reads the document where it lies: member names are compared as
/// UTF-8, strings are decoded into a buffer the thread reuses, and a .NET string is made only for a path or a message
/// when something is wrong (and for the ids of interaction components, which are compared with each other). A member
/// whose value is JSON <c>null</c> is present but has no value: it is reported once, as null, and then passed over.
/// </remarks>
internal sealed class StatementWalker(XapiVersion version)
{
    private static readonly byte[] VoidedVerb = "http://adlnet.gov/expapi/verbs/voided"u8.ToArray();

    // Allowed member names per object kind. Lists are tiny, so a linear search beats hashing.
    private static readonly Names StatementKeys =
        new("id", "actor", "verb", "object", "result", "context", "timestamp", "attachments", "stored", "authority", "version");
    private static readonly Names SubStatementKeys =
        new("objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments");
    private static readonly Names SubStatementForbidden = new("id", "stored", "version", "authority");
    private static readonly Names AgentKeys = new("objectType", "name", "mbox", "mbox_sha1sum", "openid", "account");
    private static readonly Names GroupKeys = new("objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account");
    private static readonly Names IfiKeys = new("mbox", "mbox_sha1sum", "openid", "account");
    private static readonly Names AccountKeys = new("homePage", "name");
    private static readonly Names VerbKeys = new("id", "display");
    private static readonly Names ActivityKeys = new("objectType", "id", "definition");
    private static readonly Names DefinitionKeys = new(
        "name", "description", "type", "moreInfo", "extensions", "interactionType", "correctResponsesPattern",
        "choices", "scale", "source", "target", "steps");
    private static readonly Names ComponentListKeys = new("choices", "scale", "source", "target", "steps");
    private static readonly Names ComponentKeys = new("id", "description");
    private static readonly Names InteractionTypes =
        new("true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing", "likert", "numeric", "other");
    private static readonly Names StatementRefKeys = new("objectType", "id");
    private static readonly Names ResultKeys = new("score", "success", "completion", "response", "duration", "extensions");
    private static readonly Names ScoreKeys = new("scaled", "raw", "min", "max");
    private static readonly Names ContextKeys103 =
        new("registration", "instructor", "team", "contextActivities", "revision", "platform", "language", "statement", "extensions");
    private static readonly Names ContextKeys200 = new(
        "registration", "instructor", "team", "contextActivities", "revision", "platform", "language", "statement", "extensions",
        "contextAgents", "contextGroups");
    private static readonly Names ContextActivitiesKeys = new("parent", "grouping", "category", "other");
    private static readonly Names ContextAgentKeys = new("objectType", "agent", "relevantTypes");
    private static readonly Names ContextGroupKeys = new("objectType", "group", "relevantTypes");
    private static readonly Names AttachmentKeys = new("usageType", "display", "description", "contentType", "length", "sha2", "fileUrl");
    private static readonly Names RevisionAndPlatform = new("revision", "platform");
    private static readonly Names ContextAgentType = new("contextAgent");
    private static readonly Names ContextGroupType = new("contextGroup");

    // Positions of members in the lists above, for the objects whose members CheckMembers keeps (Members): a member is read
    // where the one pass over the object met it, not looked for again by name (a missing one would be looked for in every member).
    // A SubStatement has its members where a statement has them, but for id (objectType) and those it must not have.
    private static readonly int StatementId = StatementKeys.Of("id"), StatementActor = StatementKeys.Of("actor"),
        StatementVerb = StatementKeys.Of("verb"), StatementObject = StatementKeys.Of("object"), StatementResult = StatementKeys.Of("result"),
        StatementContext = StatementKeys.Of("context"), StatementTimestamp = StatementKeys.Of("timestamp"),
        StatementAttachments = StatementKeys.Of("attachments"), StatementStored = StatementKeys.Of("stored"),
        StatementAuthority = StatementKeys.Of("authority"), StatementVersion = StatementKeys.Of("version");
    private static readonly int VerbId = VerbKeys.Of("id"), VerbDisplay = VerbKeys.Of("display");
    private static readonly int ActivityObjectType = ActivityKeys.Of("objectType"), ActivityId = ActivityKeys.Of("id"),
        ActivityDefinition = ActivityKeys.Of("definition");
    private static readonly int DefinitionName = DefinitionKeys.Of("name"), DefinitionDescription = DefinitionKeys.Of("description"),
        DefinitionType = DefinitionKeys.Of("type"), DefinitionMoreInfo = DefinitionKeys.Of("moreInfo"),
        DefinitionExtensions = DefinitionKeys.Of("extensions"), DefinitionInteractionType = DefinitionKeys.Of("interactionType"),
        DefinitionPattern = DefinitionKeys.Of("correctResponsesPattern"), DefinitionComponentLists = DefinitionKeys.Of(ComponentListKeys[0]);
    private static readonly int ResultScore = ResultKeys.Of("score"), ResultSuccess = ResultKeys.Of("success"),
        ResultCompletion = ResultKeys.Of("completion"), ResultResponse = ResultKeys.Of("response"), ResultDuration = ResultKeys.Of("duration"),
        ResultExtensions = ResultKeys.Of("extensions");
    private static readonly int ContextRegistration = ContextKeys200.Of("registration"), ContextInstructor = ContextKeys200.Of("instructor"),
        ContextTeam = ContextKeys200.Of("team"), ContextContextActivities = ContextKeys200.Of("contextActivities"),
        ContextRevision = ContextKeys200.Of("revision"), ContextLanguage = ContextKeys200.Of("language"),
        ContextStatement = ContextKeys200.Of("statement"), ContextExtensions = ContextKeys200.Of("extensions"),
        ContextAgents200 = ContextKeys200.Of("contextAgents"), ContextGroups200 = ContextKeys200.Of("contextGroups");

    static StatementWalker()
    {
        // The positions above hold for every list they are used with.
        for (var i = 0; i < SubStatementKeys.Count; i++)
            if (i != StatementId && SubStatementKeys[i] != StatementKeys[i]) throw new InvalidOperationException("SubStatementKeys out of order");
        for (var i = 0; i < ContextKeys103.Count; i++)
            if (ContextKeys103[i] != ContextKeys200[i]) throw new InvalidOperationException("ContextKeys103 out of order");
        for (var k = 0; k < ComponentListKeys.Count; k++)
            if (DefinitionKeys[DefinitionComponentLists + k] != ComponentListKeys[k]) throw new InvalidOperationException("DefinitionKeys out of order");
        if (ContextKeys200[ContextRevision + 1] != RevisionAndPlatform[1]) throw new InvalidOperationException("ContextKeys out of order");
        foreach (var kept in (Names[])[StatementKeys, SubStatementKeys, VerbKeys, ActivityKeys, DefinitionKeys, ResultKeys, ContextKeys200])
            if (kept.Count > MembersKept) throw new InvalidOperationException("more names than Members holds");
    }

    // In the order of ObjectKind. The empty string is in the list because the walk has always taken it for an objectType
    // it cannot read: no kind, and nothing more to say about it.
    private static readonly Names ObjectTypes = new("", "Agent", "Group", "Activity", "StatementRef", "SubStatement");

    /// <summary>
    /// What an objectType property names. <see cref="Unreadable"/> is a value that is not a string (reported where it
    /// was read) or is empty; <see cref="Absent"/> is a missing or null one; <see cref="Other"/> is any other string.
    /// </summary>
    private enum ObjectKind { Unreadable, Agent, Group, Activity, StatementRef, SubStatement, Other, Absent }

    private List<ValidationError>? _errors;

    public IReadOnlyList<ValidationError> Result => _errors is null ? Array.Empty<ValidationError>() : _errors;

    public void Add(string path, string message) => (_errors ??= []).Add(new ValidationError(path, message));

    private static string Child(string path, string key) => JsonPaths.Child(path, key);

    private static string Index(string path, int i) => JsonPaths.Index(path, i);

    // ---------------------------------------------------------------- Statement

    public void Statement(JsonElement node, string path, bool isSubStatement)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            Add(path, isSubStatement ? "a SubStatement must be a JSON object" : "a statement must be a JSON object");
            return;
        }

        var allowed = isSubStatement ? SubStatementKeys : StatementKeys;
        Members m = default;
        foreach (var property in node.EnumerateObject())
        {
            int known;
            if (isSubStatement && (known = SubStatementForbidden.IndexOf(property)) >= 0)
                Add(Child(path, SubStatementForbidden[known]), "a SubStatement must not have this property");
            else if ((known = allowed.IndexOf(property)) < 0)
                Add(Child(path, property.Name), isSubStatement ? "is not a property of a SubStatement" : "is not a property of a statement");
            else Met(ref m, known, property, path, allowed);
        }

        if (!isSubStatement && m.Has(StatementId, out var id)) Uuid(id, Child(path, "id"));

        // A present-but-null property was reported above; only a missing one is reported as missing.
        if (m.Has(StatementActor, out var actor)) { if (HasValue(actor)) Actor(actor, Child(path, "actor")); }
        else Add(Child(path, "actor"), "is required");

        bool voids = false;
        if (m.Has(StatementVerb, out var verb)) { if (HasValue(verb)) voids = Verb(verb, Child(path, "verb")); }
        else Add(Child(path, "verb"), "is required");

        ObjectKind? objectType = null;
        if (m.Has(StatementObject, out var @object)) { if (HasValue(@object)) objectType = Object(@object, Child(path, "object"), isSubStatement); }
        else Add(Child(path, "object"), "is required");

        if (m.Value(StatementResult, out var result)) Result_(result, Child(path, "result"));
        if (m.Value(StatementContext, out var context)) Context(context, Child(path, "context"), objectType is null or ObjectKind.Activity);
        if (m.Value(StatementTimestamp, out var timestamp)) Timestamp(timestamp, Child(path, "timestamp"));
        if (m.Value(StatementAttachments, out var attachments)) Attachments(attachments, Child(path, "attachments"));

        if (!isSubStatement)
        {
            if (m.Value(StatementStored, out var stored)) Timestamp(stored, Child(path, "stored"));
            if (m.Value(StatementAuthority, out var authority)) Authority(authority, Child(path, "authority"));
            if (m.Value(StatementVersion, out var v)) Version(v, Child(path, "version"));

            // Only a top-level statement voids anything; its target has to be named by a StatementRef.
            if (voids && @object.ValueKind == JsonValueKind.Object && objectType != ObjectKind.StatementRef)
                Add(Child(path, "object"), "a voiding statement's object must be a StatementRef");
        }
    }

    // ---------------------------------------------------------------- Agents and Groups

    /// <summary>An Agent or Group where objectType may be left out for an Agent (actor, instructor, member...).</summary>
    private void Actor(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) { NotObject(obj, path); return; }
        switch (ObjectType(obj, path))
        {
            case ObjectKind.Absent or ObjectKind.Agent: Agent(obj, path, requireObjectType: false); break;
            case ObjectKind.Group: Group(obj, path); break;
            case var other: BadObjectType(path, other, "\"Agent\" or \"Group\""); break;
        }
    }

    private void Agent(JsonElement obj, string path, bool requireObjectType)
    {
        CheckMembers(obj, path, AgentKeys, "an Agent");
        var objectType = ObjectType(obj, path);
        if (objectType == ObjectKind.Absent && requireObjectType) Add(Child(path, "objectType"), "is required");
        else if (objectType is not ObjectKind.Absent and not ObjectKind.Agent) BadObjectType(path, objectType, "\"Agent\"");
        OptionalString(obj, "name"u8, "name", path);
        int ifis = Ifis(obj, path);
        if (ifis == 0) Add(path, "an Agent needs one of mbox, mbox_sha1sum, openid or account");
        else if (ifis > 1) Add(path, "an Agent must have exactly one of mbox, mbox_sha1sum, openid or account");
    }

    /// <summary>Checks a Group and returns how many members it lists (-1 when there is no usable member array).</summary>
    private int Group(JsonElement obj, string path)
    {
        CheckMembers(obj, path, GroupKeys, "a Group");
        OptionalString(obj, "name"u8, "name", path);
        int ifis = Ifis(obj, path);
        if (ifis > 1) Add(path, "a Group must have at most one of mbox, mbox_sha1sum, openid or account");

        int members = -1;
        bool listed = obj.TryGetProperty("member"u8, out var member);
        if (HasValue(member))
        {
            if (member.ValueKind == JsonValueKind.Array)
            {
                members = 0;
                foreach (var m in member.EnumerateArray())
                {
                    string mPath = Index(Child(path, "member"), members++);
                    if (m.ValueKind != JsonValueKind.Object) { NotObject(m, mPath); continue; }
                    if (ObjectType(m, mPath) == ObjectKind.Group) Add(Child(mPath, "objectType"), "a Group member must be an Agent, not a Group");
                    else Agent(m, mPath, requireObjectType: false);
                }
                if (ifis == 0 && members == 0) Add(Child(path, "member"), "an anonymous Group must list at least one member");
            }
            else Add(Child(path, "member"), "must be an array");
        }
        else if (ifis == 0 && !listed)
        {
            Add(Child(path, "member"), "an anonymous Group must list its members");
        }
        return members;
    }

    /// <summary>Validates whichever Inverse Functional Identifiers are present and returns how many there are.</summary>
    private int Ifis(JsonElement obj, string path)
    {
        int count = 0;
        for (int i = 0; i < IfiKeys.Count; i++)
        {
            if (!obj.TryGetProperty(IfiKeys.Utf8(i), out var value)) continue;
            count++;
            if (value.ValueKind == JsonValueKind.Null) continue; // reported as null already
            string p = Child(path, IfiKeys[i]);
            switch (i)
            {
                case 0: // mbox
                    if (!TryText(value, out var mbox)) Add(p, "must be a string");
                    else if (!XapiFormats.IsMailto(mbox)) Add(p, "must be a mailto IRI with one e-mail address");
                    break;
                case 1: // mbox_sha1sum
                    if (!TryText(value, out var sha)) Add(p, "must be a string");
                    else if (!XapiFormats.IsSha1Hex(sha)) Add(p, "must be 40 hexadecimal digits");
                    break;
                case 2: // openid
                    IriValue(value, p);
                    break;
                case 3: // account
                    Account(value, p);
                    break;
            }
        }
        return count;
    }

    private void Account(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) { NotObject(obj, path); return; }
        CheckMembers(obj, path, AccountKeys, "an account");
        if (obj.TryGetProperty("homePage"u8, out var homePage)) IriValue(homePage, Child(path, "homePage"));
        else Add(Child(path, "homePage"), "is required");
        if (obj.TryGetProperty("name"u8, out var name)) { if (HasValue(name) && !TryText(name, out _)) Add(Child(path, "name"), "must be a string"); }
        else Add(Child(path, "name"), "is required");
    }

    private void Authority(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) { NotObject(obj, path); return; }
        switch (ObjectType(obj, path))
        {
            case ObjectKind.Absent or ObjectKind.Agent:
                Agent(obj, path, requireObjectType: false);
                break;
            case ObjectKind.Group:
                // Only three-legged OAuth puts a Group here: an anonymous pair of the application and the user.
                int members = Group(obj, path);
                for (int i = 0; i < IfiKeys.Count; i++)
                {
                    if (obj.TryGetProperty(IfiKeys.Utf8(i), out _)) { Add(Child(path, IfiKeys[i]), "an authority Group must be anonymous"); break; }
                }
                // A non-array member was reported by Group already.
                if (members != 2 && !(members < 0 && obj.TryGetProperty("member"u8, out _)))
                    Add(Child(path, "member"), "an authority Group must have exactly two Agents");
                break;
            case var other:
                BadObjectType(path, other, "\"Agent\" or \"Group\"");
                break;
        }
    }

    private static bool HasIfi(JsonElement obj)
    {
        for (int i = 0; i < IfiKeys.Count; i++) if (obj.TryGetProperty(IfiKeys.Utf8(i), out _)) return true;
        return false;
    }

    /// <summary>The <c>agent</c> query parameter: an Agent or an Identified Group.</summary>
    public void AgentParameter(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) { Add(path, "the agent must be a JSON object"); return; }
        switch (ObjectType(obj, path))
        {
            case ObjectKind.Absent or ObjectKind.Agent:
                Agent(obj, path, requireObjectType: false);
                break;
            case ObjectKind.Group:
                Group(obj, path);
                if (!HasIfi(obj)) Add(path, "the agent parameter needs an Identified Group (one of mbox, mbox_sha1sum, openid or account)");
                break;
            case var other:
                BadObjectType(path, other, "\"Agent\" or \"Group\"");
                break;
        }
    }

    // ---------------------------------------------------------------- Verb

    /// <summary>Checks a Verb and returns whether it is the voiding verb.</summary>
    private bool Verb(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) { NotObject(obj, path); return false; }
        var m = CheckMembers(obj, path, VerbKeys, "a Verb", keep: true);
        bool voids = false;
        if (m.Has(VerbId, out var id))
        {
            IriValue(id, Child(path, "id"));
            voids = id.ValueKind == JsonValueKind.String && id.ValueEquals(VoidedVerb);
        }
        else Add(Child(path, "id"), "is required");
        if (m.Value(VerbDisplay, out var display)) LanguageMap(display, Child(path, "display"));
        return voids;
    }

    // ---------------------------------------------------------------- Object

    /// <summary>Checks the statement's object and returns its effective objectType (null when unreadable).</summary>
    private ObjectKind? Object(JsonElement obj, string path, bool inSubStatement)
    {
        if (obj.ValueKind != JsonValueKind.Object) { NotObject(obj, path); return null; }
        var objectType = ObjectType(obj, path);
        switch (objectType)
        {
            case ObjectKind.Absent:
                // Without objectType the object is an Activity; an Agent or Group there is a common mistake worth naming.
                if (HasIfi(obj) || obj.TryGetProperty("member"u8, out _))
                {
                    Add(Child(path, "objectType"), "is required when the object is an Agent or Group");
                    return null;
                }
                Activity(obj, path);
                return ObjectKind.Activity;
            case ObjectKind.Activity:
                Activity(obj, path);
                return objectType;
            case ObjectKind.Agent:
                Agent(obj, path, requireObjectType: true);
                return objectType;
            case ObjectKind.Group:
                Group(obj, path);
                return objectType;
            case ObjectKind.StatementRef:
                StatementRef(obj, path);
                return objectType;
            case ObjectKind.SubStatement:
                if (inSubStatement) Add(Child(path, "objectType"), "a SubStatement cannot contain a SubStatement");
                else Statement(obj, path, isSubStatement: true);
                return objectType;
            default:
                BadObjectType(path, objectType, "Activity, Agent, Group, StatementRef or SubStatement");
                return null;
        }
    }

    private void Activity(JsonElement obj, string path)
    {
        var m = CheckMembers(obj, path, ActivityKeys, "an Activity", keep: true);
        var objectType = m.Value(ActivityObjectType, out var type) ? KindOf(type, path) : ObjectKind.Absent;
        if (objectType is not ObjectKind.Absent and not ObjectKind.Activity) BadObjectType(path, objectType, "\"Activity\"");
        if (m.Has(ActivityId, out var id)) IriValue(id, Child(path, "id"));
        else Add(Child(path, "id"), "is required");
        if (m.Value(ActivityDefinition, out var definition)) Definition(definition, Child(path, "definition"));
    }

    private void ActivityNode(JsonElement node, string path)
    {
        if (node.ValueKind == JsonValueKind.Object) Activity(node, path);
        else NotObject(node, path);
    }

    private void Definition(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) { NotObject(obj, path); return; }
        var m = CheckMembers(obj, path, DefinitionKeys, "an Activity definition", keep: true);
        if (m.Value(DefinitionName, out var name)) LanguageMap(name, Child(path, "name"));
        if (m.Value(DefinitionDescription, out var description)) LanguageMap(description, Child(path, "description"));
        if (m.Value(DefinitionType, out var type)) IriValue(type, Child(path, "type"));
        if (m.Value(DefinitionMoreInfo, out var moreInfo)) IriValue(moreInfo, Child(path, "moreInfo"));
        if (m.Value(DefinitionExtensions, out var extensions)) Extensions(extensions, Child(path, "extensions"));

        // The position of a known interaction type in InteractionTypes, or -1.
        int interactionType = -1;
        bool hasInteractionType = m.Has(DefinitionInteractionType, out var it);
        if (HasValue(it))
        {
            if (!TryFind(it, InteractionTypes, out int found)) Add(Child(path, "interactionType"), "must be a string");
            // Enumerated values are case-sensitive: "Choice" is not "choice".
            else if (found < 0) Add(Child(path, "interactionType"), "is not a known interaction type");
            else interactionType = found;
        }

        bool interactionPropertyUsed = m.Has(DefinitionPattern, out var crp);
        if (HasValue(crp))
        {
            string p = Child(path, "correctResponsesPattern");
            if (crp.ValueKind != JsonValueKind.Array) Add(p, "must be an array of strings");
            else
            {
                int i = 0;
                foreach (var pattern in crp.EnumerateArray())
                {
                    if (pattern.ValueKind == JsonValueKind.Null) Add(Index(p, i), "must not be null");
                    else if (!TryText(pattern, out _)) Add(Index(p, i), "must be a string");
                    i++;
                }
            }
        }

        for (int k = 0; k < ComponentListKeys.Count; k++)
        {
            if (!m.Has(DefinitionComponentLists + k, out var list)) continue;
            interactionPropertyUsed = true;
            string listKey = ComponentListKeys[k];
            string p = Child(path, listKey);
            if (HasValue(list)) ComponentList(list, p);
            if (interactionType >= 0 && !ComponentAllowed(InteractionTypes[interactionType], listKey))
                Add(p, $"is not used with interactionType \"{InteractionTypes[interactionType]}\"");
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

    private void ComponentList(JsonElement array, string path)
    {
        if (array.ValueKind != JsonValueKind.Array) { Add(path, "must be an array"); return; }
        HashSet<string>? seen = null;
        int i = 0;
        foreach (var c in array.EnumerateArray())
        {
            string p = Index(path, i++);
            if (c.ValueKind != JsonValueKind.Object) { NotObject(c, p); continue; }
            CheckMembers(c, p, ComponentKeys, "an interaction component");
            if (c.TryGetProperty("id"u8, out var idNode))
            {
                if (HasValue(idNode))
                {
                    if (!TryText(idNode, out var id)) Add(Child(p, "id"), "must be a string");
                    else if (id.IsEmpty) Add(Child(p, "id"), "must not be empty");
                    else if (!(seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(id.ToString()))
                        Add(Child(p, "id"), "must be unique within the list");
                }
            }
            else Add(Child(p, "id"), "is required");
            if (Member(c, "description"u8, out var description)) LanguageMap(description, Child(p, "description"));
        }
    }

    private void StatementRef(JsonElement obj, string path)
    {
        CheckMembers(obj, path, StatementRefKeys, "a StatementRef");
        if (obj.TryGetProperty("id"u8, out var id)) Uuid(id, Child(path, "id"));
        else Add(Child(path, "id"), "is required");
    }

    // ---------------------------------------------------------------- Result

    private void Result_(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) { NotObject(obj, path); return; }
        var m = CheckMembers(obj, path, ResultKeys, "a Result", keep: true);
        if (m.Value(ResultScore, out var score)) Score(score, Child(path, "score"));
        if (m.Value(ResultSuccess, out var success) && !IsBoolean(success)) Add(Child(path, "success"), "must be true or false");
        if (m.Value(ResultCompletion, out var completion) && !IsBoolean(completion)) Add(Child(path, "completion"), "must be true or false");
        if (m.Has(ResultResponse, out var response)) OptionalString(response, "response", path);
        if (m.Value(ResultDuration, out var duration))
        {
            if (!TryText(duration, out var d)) Add(Child(path, "duration"), "must be a string");
            else if (!XapiFormats.IsDuration(d)) Add(Child(path, "duration"), "must be an ISO 8601 duration such as PT1H30M");
        }
        if (m.Value(ResultExtensions, out var extensions)) Extensions(extensions, Child(path, "extensions"));
    }

    private void Score(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) { NotObject(obj, path); return; }
        CheckMembers(obj, path, ScoreKeys, "a Score");
        double? scaled = Number(obj, "scaled"u8, "scaled", path), raw = Number(obj, "raw"u8, "raw", path);
        double? min = Number(obj, "min"u8, "min", path), max = Number(obj, "max"u8, "max", path);
        if (scaled is < -1 or > 1) Add(Child(path, "scaled"), "must be between -1 and 1");
        if (min is not null && max is not null && max <= min) Add(Child(path, "max"), "must be greater than min");
        if (raw is not null && min is not null && raw < min) Add(Child(path, "raw"), "must not be less than min");
        if (raw is not null && max is not null && raw > max) Add(Child(path, "raw"), "must not be greater than max");
    }

    private double? Number(JsonElement obj, ReadOnlySpan<byte> utf8Key, string key, string path)
    {
        if (!Member(obj, utf8Key, out var value)) return null;
        if (TryNumber(value, out var d)) return d;
        Add(Child(path, key), "must be a number");
        return null;
    }

    // ---------------------------------------------------------------- Context

    private void Context(JsonElement obj, string path, bool objectIsActivity)
    {
        if (obj.ValueKind != JsonValueKind.Object) { NotObject(obj, path); return; }
        // contextAgents and contextGroups arrived with 2.0; under 1.0.3 they are unknown properties.
        var m = CheckMembers(obj, path, version == XapiVersion.V200 ? ContextKeys200 : ContextKeys103, "a Context", keep: true);

        if (m.Value(ContextRegistration, out var registration)) Uuid(registration, Child(path, "registration"));
        if (m.Value(ContextInstructor, out var instructor)) Actor(instructor, Child(path, "instructor"));
        if (m.Value(ContextTeam, out var team))
        {
            string p = Child(path, "team");
            if (team.ValueKind != JsonValueKind.Object) NotObject(team, p);
            else if (ObjectType(team, p) == ObjectKind.Group) Group(team, p);
            else Add(Child(p, "objectType"), "team must be a Group with objectType \"Group\"");
        }
        if (m.Value(ContextContextActivities, out var ca)) ContextActivities(ca, Child(path, "contextActivities"));
        for (int k = 0; k < RevisionAndPlatform.Count; k++)
        {
            if (!m.Has(ContextRevision + k, out var value)) continue;
            string key = RevisionAndPlatform[k];
            OptionalString(value, key, path);
            if (!objectIsActivity) Add(Child(path, key), "is only allowed when the statement's object is an Activity");
        }
        if (m.Value(ContextLanguage, out var language))
        {
            if (!TryText(language, out var tag)) Add(Child(path, "language"), "must be a string");
            else if (!LanguageTag.IsValid(tag)) Add(Child(path, "language"), "must be an RFC 5646 language tag");
        }
        if (m.Value(ContextStatement, out var statement))
        {
            string p = Child(path, "statement");
            if (statement.ValueKind != JsonValueKind.Object) NotObject(statement, p);
            else
            {
                var t = ObjectType(statement, p);
                if (t == ObjectKind.Absent) Add(Child(p, "objectType"), "is required");
                else if (t != ObjectKind.StatementRef) BadObjectType(p, t, "\"StatementRef\"");
                StatementRef(statement, p);
            }
        }
        if (m.Value(ContextExtensions, out var extensions)) Extensions(extensions, Child(path, "extensions"));

        if (version == XapiVersion.V200)
        {
            if (m.Value(ContextAgents200, out var agents)) ContextAgents(agents, Child(path, "contextAgents"), group: false);
            if (m.Value(ContextGroups200, out var groups)) ContextAgents(groups, Child(path, "contextGroups"), group: true);
        }
    }

    private void ContextActivities(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) { NotObject(obj, path); return; }
        CheckMembers(obj, path, ContextActivitiesKeys, "contextActivities");
        for (int k = 0; k < ContextActivitiesKeys.Count; k++)
        {
            if (!Member(obj, ContextActivitiesKeys.Utf8(k), out var value)) continue;
            string p = Child(path, ContextActivitiesKeys[k]);
            // A single Activity is allowed on input; the LRS returns it as an array of one.
            if (value.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (var activity in value.EnumerateArray()) ActivityNode(activity, Index(p, i++));
            }
            else if (value.ValueKind == JsonValueKind.Object) ActivityNode(value, p);
            else Add(p, "must be an Activity or an array of Activities");
        }
    }

    /// <summary>xAPI 2.0 contextAgents (<paramref name="group"/> false) or contextGroups (true).</summary>
    private void ContextAgents(JsonElement array, string path, bool group)
    {
        if (array.ValueKind != JsonValueKind.Array) { Add(path, "must be an array"); return; }
        var expectedType = group ? ContextGroupType : ContextAgentType;
        string memberKey = group ? "group" : "agent";
        int i = 0;
        foreach (var obj in array.EnumerateArray())
        {
            string p = Index(path, i++);
            if (obj.ValueKind != JsonValueKind.Object) { NotObject(obj, p); continue; }
            CheckMembers(obj, p, group ? ContextGroupKeys : ContextAgentKeys, group ? "a contextGroup" : "a contextAgent");

            if (!obj.TryGetProperty("objectType"u8, out var ot)) Add(Child(p, "objectType"), "is required");
            else if (HasValue(ot) && (!TryFind(ot, expectedType, out int found) || found < 0))
                Add(Child(p, "objectType"), $"must be \"{expectedType[0]}\"");

            string mp = Child(p, memberKey);
            if (!obj.TryGetProperty(group ? "group"u8 : "agent"u8, out var member)) Add(mp, "is required");
            else if (HasValue(member))
            {
                if (member.ValueKind != JsonValueKind.Object) NotObject(member, mp);
                else if (group)
                {
                    if (ObjectType(member, mp) == ObjectKind.Group) Group(member, mp);
                    else Add(Child(mp, "objectType"), "must be \"Group\"");
                }
                else
                {
                    if (ObjectType(member, mp) == ObjectKind.Group) Add(Child(mp, "objectType"), "a contextAgent's agent must be an Agent");
                    else Agent(member, mp, requireObjectType: false);
                }
            }

            if (Member(obj, "relevantTypes"u8, out var relevant))
            {
                string rp = Child(p, "relevantTypes");
                if (relevant.ValueKind != JsonValueKind.Array) Add(rp, "must be an array of IRIs");
                else if (relevant.GetArrayLength() == 0) Add(rp, "must not be empty");
                else
                {
                    int j = 0;
                    foreach (var type in relevant.EnumerateArray()) IriValue(type, Index(rp, j++));
                }
            }
        }
    }

    // ---------------------------------------------------------------- Timestamp, version, attachments

    private void Timestamp(JsonElement node, string path)
    {
        if (!TryText(node, out var s)) { Add(path, "must be a string"); return; }
        if (!XapiTimestamp.TryParse(s, version, out _))
            Add(path, version == XapiVersion.V200 ? "must be an RFC 3339 timestamp" : "must be an ISO 8601 timestamp");
    }

    private void Version(JsonElement node, string path)
    {
        if (!TryText(node, out var s)) { Add(path, "must be a string"); return; }
        // Under 1.0.3 only 1.0.x; the 2.0 suite also accepts 1.0.x statements, so 2.0 takes both families.
        bool ok = IsVersion(s, "1.0") || (version == XapiVersion.V200 && IsVersion(s, "2.0"));
        if (!ok) Add(path, version == XapiVersion.V200 ? "must be 1.0.x or 2.0.x" : "must be 1.0.x");
    }

    private static bool IsVersion(ReadOnlySpan<char> s, string family)
    {
        if (!s.StartsWith(family, StringComparison.Ordinal)) return false;
        if (s.Length == family.Length) return true;
        if (s[family.Length] != '.' || s.Length == family.Length + 1) return false;
        for (int i = family.Length + 1; i < s.Length; i++) if (!char.IsAsciiDigit(s[i])) return false;
        return true;
    }

    private void Attachments(JsonElement array, string path)
    {
        if (array.ValueKind != JsonValueKind.Array) { Add(path, "must be an array"); return; }
        int i = 0;
        foreach (var a in array.EnumerateArray())
        {
            string p = Index(path, i++);
            if (a.ValueKind != JsonValueKind.Object) { NotObject(a, p); continue; }
            CheckMembers(a, p, AttachmentKeys, "an Attachment");

            if (a.TryGetProperty("usageType"u8, out var usageType)) IriValue(usageType, Child(p, "usageType"));
            else Add(Child(p, "usageType"), "is required");

            if (a.TryGetProperty("display"u8, out var display)) { if (HasValue(display)) LanguageMap(display, Child(p, "display")); }
            else Add(Child(p, "display"), "is required");
            if (Member(a, "description"u8, out var description)) LanguageMap(description, Child(p, "description"));

            if (a.TryGetProperty("contentType"u8, out var ct))
            {
                if (HasValue(ct) && (!TryText(ct, out var type) || !IsMediaType(type)))
                    Add(Child(p, "contentType"), "must be an Internet media type such as text/plain");
            }
            else Add(Child(p, "contentType"), "is required");

            if (a.TryGetProperty("length"u8, out var len))
            {
                if (HasValue(len) && (!TryNumber(len, out var n) || n < 0 || n != Math.Floor(n)))
                    Add(Child(p, "length"), "must be a non-negative integer");
            }
            else Add(Child(p, "length"), "is required");

            if (a.TryGetProperty("sha2"u8, out var sha))
            {
                if (HasValue(sha) && (!TryText(sha, out var hash) || !IsHex(hash)))
                    Add(Child(p, "sha2"), "must be a hexadecimal SHA-2 hash");
            }
            else Add(Child(p, "sha2"), "is required");

            if (Member(a, "fileUrl"u8, out var fileUrl)) IriValue(fileUrl, Child(p, "fileUrl"));
        }
    }

    // type "/" subtype, each a non-empty RFC 6838 token; parameters (";...") allowed.
    private static bool IsMediaType(ReadOnlySpan<char> s)
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
    private static bool IsHex(ReadOnlySpan<char> s)
    {
        if (s.Length is < 56 or > 128) return false;
        foreach (char c in s) if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }

    // ---------------------------------------------------------------- Shared value types

    private void LanguageMap(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) { Add(path, "must be a language map object"); return; }
        foreach (var property in obj.EnumerateObject())
        {
            if (!LanguageTag.IsValid(NameOf(property))) Add(Child(path, property.Name), "is not a valid RFC 5646 language tag");
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null) Add(Child(path, property.Name), "must not be null");
            else if (!TryText(value, out _)) Add(Child(path, property.Name), "must be a string");
        }
    }

    private void Extensions(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) { Add(path, "must be an object"); return; }
        // Values are the extension owner's business, null included; only keys are judged.
        foreach (var property in obj.EnumerateObject())
        {
            if (!Iri.IsAbsolute(NameOf(property))) Add(Child(path, property.Name), "extension keys must be absolute IRIs");
        }
    }

    /// <summary>Checks an IRI/IRL value.</summary>
    private void IriValue(JsonElement node, string path)
    {
        if (!HasValue(node)) return; // a missing value is judged by the caller, a null one by CheckMembers
        if (!TryText(node, out var s)) { Add(path, "must be a string"); return; }
        if (!Iri.IsAbsolute(s)) Add(path, "must be an absolute IRI");
    }

    private void Uuid(JsonElement node, string path)
    {
        if (!HasValue(node)) return;
        if (!TryText(node, out var s)) { Add(path, "must be a string"); return; }
        if (!XapiFormats.IsUuid(s)) Add(path, "must be a UUID");
    }

    private void OptionalString(JsonElement obj, ReadOnlySpan<byte> utf8Key, string key, string path)
    {
        if (obj.TryGetProperty(utf8Key, out var value)) OptionalString(value, key, path);
    }

    /// <summary>Member <paramref name="key"/>'s value, when it has one, must be a string.</summary>
    private void OptionalString(JsonElement value, string key, string path)
    {
        if (HasValue(value) && !TryText(value, out _)) Add(Child(path, key), "must be a string");
    }

    /// <summary>Reads objectType, reporting a value that is not a string.</summary>
    private ObjectKind ObjectType(JsonElement obj, string path) =>
        Member(obj, "objectType"u8, out var value) ? KindOf(value, path) : ObjectKind.Absent;

    /// <summary>What objectType <paramref name="value"/> (not null) names, reporting a value that is not a string.</summary>
    private ObjectKind KindOf(JsonElement value, string path)
    {
        if (!TryFind(value, ObjectTypes, out int found))
        {
            Add(Child(path, "objectType"), "must be a string");
            return ObjectKind.Unreadable;
        }
        return found < 0 ? ObjectKind.Other : (ObjectKind)found;
    }

    private void BadObjectType(string path, ObjectKind actual, string expected)
    {
        // Unreadable is the non-string case, already reported, or an empty string.
        if (actual != ObjectKind.Unreadable) Add(Child(path, "objectType"), $"must be {expected}");
    }

    private void NotObject(JsonElement node, string path)
    {
        Add(path, node.ValueKind == JsonValueKind.Null ? "must not be null" : "must be an object");
    }

    /// <summary>Reports unknown members (names are case-sensitive) and null values.</summary>
    private void CheckMembers(JsonElement obj, string path, Names allowed, string what) => CheckMembers(obj, path, allowed, what, keep: false);

    /// <summary>Reports unknown members and null values; when <paramref name="keep"/>, returns the known ones by their position in <paramref name="allowed"/>.</summary>
    private Members CheckMembers(JsonElement obj, string path, Names allowed, string what, bool keep)
    {
        Members m = default;
        foreach (var property in obj.EnumerateObject())
        {
            int known = allowed.IndexOf(property);
            if (known < 0) Add(Child(path, property.Name), $"is not a property of {what}");
            else if (keep) Met(ref m, known, property, path, allowed);
            else if (property.Value.ValueKind == JsonValueKind.Null) Add(Child(path, allowed[known]), "must not be null");
        }
        return m;
    }

    private const int MembersKept = 12;

    // A known member met: kept at its position, and reported when null.
    private void Met(ref Members m, int known, JsonProperty property, string path, Names allowed)
    {
        var value = property.Value;
        m[known] = value;
        if (value.ValueKind == JsonValueKind.Null) Add(Child(path, allowed[known]), "must not be null");
    }

    /// <summary>
    /// The known members of one object, by their position in its list of names, as one pass over it met them (the last of a
    /// name met twice, as a lookup by name finds it); a member not met is <see cref="JsonValueKind.Undefined"/>.
    /// </summary>
    [System.Runtime.CompilerServices.InlineArray(MembersKept)]
    private struct Members
    {
        private JsonElement _first;

        /// <summary>Whether member <paramref name="at"/> was met, null or not (as <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>).</summary>
        public readonly bool Has(int at, out JsonElement value)
        {
            value = this[at];
            return value.ValueKind != JsonValueKind.Undefined;
        }

        /// <summary>Whether member <paramref name="at"/> was met with a value, not null (as <see cref="Member"/>).</summary>
        public readonly bool Value(int at, out JsonElement value)
        {
            value = this[at];
            return HasValue(value);
        }
    }

    // ---------------------------------------------------------------- Reading the document

    /// <summary>Whether the member is there with a value: not missing (<see cref="JsonValueKind.Undefined"/>), not null.</summary>
    private static bool HasValue(JsonElement value) => value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    /// <summary>The member <paramref name="utf8Name"/> of <paramref name="obj"/> when it is there and not null.</summary>
    private static bool Member(JsonElement obj, ReadOnlySpan<byte> utf8Name, out JsonElement value) =>
        obj.TryGetProperty(utf8Name, out value) && value.ValueKind != JsonValueKind.Null;

    private static bool IsBoolean(JsonElement value) => value.ValueKind is JsonValueKind.True or JsonValueKind.False;

    private static bool TryNumber(JsonElement value, out double number)
    {
        number = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out number) && double.IsFinite(number);
    }

    /// <summary>
    /// Which of <paramref name="names"/> a string value is (-1 for another string); false when it is not a string. Another
    /// string is read in full, so that text that cannot be read fails here as anywhere else a string is read.
    /// </summary>
    private static bool TryFind(JsonElement value, Names names, out int index)
    {
        index = -1;
        if (value.ValueKind != JsonValueKind.String) return false;
        for (int i = 0; i < names.Count; i++)
        {
            if (value.ValueEquals(names.Utf8(i))) { index = i; return true; }
        }
        TryText(value, out _);
        return true;
    }

    // Longer text than this is read with GetString; IRIs and names in statements are far shorter.
    private const int ScratchChars = 512;

    [ThreadStatic]
    private static char[]? t_scratch;

    /// <summary>
    /// The text of a string value, or false when the value is not a string. The text lies in a buffer this thread reuses:
    /// it is good until the next call.
    /// </summary>
    private static bool TryText(JsonElement value, out ReadOnlySpan<char> text)
    {
        if (value.ValueKind != JsonValueKind.String) { text = default; return false; }
        var quoted = JsonMarshal.GetRawUtf8Value(value);
        text = TryDecode(quoted[1..^1], out var decoded) ? decoded : value.GetString();
        return true;
    }

    /// <summary>The text of a property's name, in the same buffer as <see cref="TryText"/>.</summary>
    private static ReadOnlySpan<char> NameOf(JsonProperty property) =>
        TryDecode(JsonMarshal.GetRawUtf8PropertyName(property), out var name) ? name : property.Name;

    /// <summary>
    /// Decodes plain UTF-8 into this thread's buffer. Text with escapes, long text, and bytes that are not UTF-8 are left
    /// to <see cref="JsonElement.GetString"/>, which unescapes, and throws on text that is not UTF-8 or holds a lone
    /// surrogate, as reading it anywhere would.
    /// </summary>
    private static bool TryDecode(ReadOnlySpan<byte> utf8, out ReadOnlySpan<char> text)
    {
        text = default;
        if (utf8.Length > ScratchChars || utf8.Contains((byte)'\\')) return false;
        var buffer = t_scratch ??= new char[ScratchChars];
        if (Utf8.ToUtf16(utf8, buffer, out _, out int written, replaceInvalidSequences: false) != OperationStatus.Done) return false;
        text = buffer.AsSpan(0, written);
        return true;
    }

    /// <summary>Member names as the walk reports them and as a document holds them.</summary>
    private sealed class Names
    {
        private readonly string[] _text;
        private readonly byte[][] _utf8;

        public Names(params string[] names)
        {
            _text = names;
            _utf8 = Array.ConvertAll(names, Encoding.UTF8.GetBytes);
        }

        public int Count => _text.Length;

        public string this[int index] => _text[index];

        public byte[] Utf8(int index) => _utf8[index];

        /// <summary>The position of <paramref name="name"/> in the list (which holds it).</summary>
        public int Of(string name) => Array.IndexOf(_text, name) is >= 0 and var i ? i : throw new ArgumentException($"{name} is not in the list", nameof(name));

        /// <summary>The position of <paramref name="property"/>'s name in the list, or -1.</summary>
        public int IndexOf(JsonProperty property)
        {
            // The name as written is the name unless it holds an escape; comparing the bytes as they lie costs one
            // lookup in the document instead of one per name in the list.
            var written = JsonMarshal.GetRawUtf8PropertyName(property);
            if (written.Contains((byte)'\\'))
            {
                for (int i = 0; i < _utf8.Length; i++)
                {
                    if (property.NameEquals(_utf8[i])) return i;
                }
                return -1;
            }
            for (int i = 0; i < _utf8.Length; i++)
            {
                if (written.SequenceEqual(_utf8[i])) return i;
            }
            return -1;
        }
    }
}
