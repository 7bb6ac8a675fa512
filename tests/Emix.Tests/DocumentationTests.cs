using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Xml.Linq;

namespace Emix.Tests;

/// <summary>
/// Every public (or protected) type and member of the libraries that the documentation site covers has a
/// non-empty <c>&lt;summary&gt;</c> in the XML doc file its build writes, which is what docfx renders.
/// CS1591 (an error here: warnings are errors and only the tests silence it) catches a member with no doc
/// comment at all; this also catches a comment without a summary (only <c>remarks</c> or <c>param</c>), an
/// empty summary, and an <c>inheritdoc</c> whose source has none. The libraries are the projects that
/// docs/docfx.json reads, so adding one there puts it under this test too (the test project must then
/// reference it, or <see cref="Assembly.Load(string)"/> says so).
/// </summary>
public class DocumentationTests
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>The assembly names of the projects docs/docfx.json takes its API pages from.</summary>
    internal static IReadOnlyList<string> DocumentedAssemblies()
    {
        string json = File.ReadAllText(Path.Combine(SampleTests.RepositoryRoot(), "docs", "docfx.json"));
        using var config = JsonDocument.Parse(json, new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        return [.. config.RootElement.GetProperty("metadata").EnumerateArray()
            .SelectMany(m => m.GetProperty("src").EnumerateArray())
            .SelectMany(s => s.GetProperty("files").EnumerateArray())
            .Select(f => Path.GetFileNameWithoutExtension(f.GetString()!))];
    }

    [Fact]
    public void The_site_documents_the_library_packages()
    {
        // At least these four; a new library (Emix.ML) is one more line in docs/docfx.json.
        Assert.Subset(DocumentedAssemblies().ToHashSet(), new HashSet<string> { "Emix", "Emix.Mpi", "Emix.Parquet", "Emix.Plots" });
    }

    [Fact]
    public void Every_public_type_and_member_of_the_documented_libraries_has_a_summary()
    {
        var assemblies = DocumentedAssemblies().Select(name => Assembly.Load(name)).ToList();
        var docs = XmlDocs.Load(assemblies.Select(DocFile));
        var missing = new List<string>();
        int checkedCount = 0;
        foreach (var assembly in assemblies)
        {
            var api = PublicApi(assembly, docs).ToList();
            checkedCount += api.Count;
            missing.AddRange(api.Where(m => !docs.HasSummary(m.Id, m.Member)).Select(m => m.Id));
        }
        Assert.True(missing.Count == 0, $"{missing.Count} public types or members without a <summary>:\n{string.Join("\n", missing)}");
        // 651 when this was written: exactly the items docfx 2.81 put on the API pages (their commentIds).
        Assert.True(checkedCount > 600, $"only {checkedCount} types and members found: the reflection walk is broken");
    }

    [Fact]
    public void A_member_whose_summary_is_removed_is_reported()
    {
        var assembly = typeof(GaussianMixture).Assembly;
        var file = XDocument.Load(DocFile(assembly));
        const string fit = "M:Emix.GaussianMixture.Fit(Emix.RowSource,System.IProgress{Emix.FitProgress},System.Threading.CancellationToken)";
        var member = file.Descendants("member").Single(m => (string?)m.Attribute("name") == fit);
        member.Element("summary")!.Remove();
        var type = file.Descendants("member").Single(m => (string?)m.Attribute("name") == "T:Emix.GaussianMixtureOptions");
        type.Element("summary")!.Value = "  ";
        var docs = new XmlDocs([file]);

        var missing = PublicApi(assembly, docs).Where(m => !docs.HasSummary(m.Id, m.Member)).Select(m => m.Id);

        Assert.Equal([fit, "T:Emix.GaussianMixtureOptions"], missing.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Inheritdoc_takes_the_summary_of_the_overridden_member()
    {
        // GaussianMixtureModel.Sample is documented with <inheritdoc/> and overrides MixtureModel.Sample.
        var docs = XmlDocs.Load([DocFile(typeof(GaussianMixture).Assembly)]);
        var sample = typeof(GaussianMixtureModel).GetMethod(nameof(GaussianMixtureModel.Sample), Declared)!;
        Assert.Equal("M:Emix.GaussianMixtureModel.Sample(System.Int32,System.Int64)", DocId(sample));
        Assert.True(docs.HasSummary(DocId(sample), sample));

        var withoutBase = XDocument.Load(DocFile(typeof(GaussianMixture).Assembly));
        withoutBase.Descendants("member").Single(m => (string?)m.Attribute("name") == "M:Emix.MixtureModel.Sample(System.Int32,System.Int64)")
            .Element("summary")!.Remove();
        Assert.False(new XmlDocs([withoutBase]).HasSummary(DocId(sample), sample));
    }

    [Fact]
    public void Every_namespace_of_the_documented_libraries_has_a_summary_page()
    {
        // C# has no doc comments for namespaces; docs/namespaces/NAME.md gives the site's namespace page its summary.
        string folder = Path.Combine(SampleTests.RepositoryRoot(), "docs", "namespaces");
        var namespaces = DocumentedAssemblies().Select(name => Assembly.Load(name))
            .SelectMany(a => a.GetExportedTypes()).Select(t => t.Namespace!).Distinct().Order(StringComparer.Ordinal);
        foreach (var name in namespaces)
        {
            string page = Path.Combine(folder, name + ".md");
            Assert.True(File.Exists(page), $"namespace {name} has no docs/namespaces/{name}.md");
            string text = File.ReadAllText(page).ReplaceLineEndings("\n");
            Assert.StartsWith($"---\nuid: {name}\nsummary: *content\n---\n", text);
            Assert.True(text.Split("---\n", 3)[2].Trim().Length > 0, $"docs/namespaces/{name}.md is empty");
        }
    }

    private static string DocFile(Assembly assembly)
    {
        string file = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.True(File.Exists(file), $"no XML doc file beside {assembly.Location}");
        return file;
    }

    /// <summary>A visible type or member and its XML doc ID.</summary>
    internal readonly record struct ApiMember(string Id, MemberInfo Member);

    /// <summary>
    /// What a user of the package sees: every type visible outside the assembly and each of its public or
    /// protected members, less what the compiler makes up (record members, accessors, an enum's value__,
    /// a delegate's Invoke, the implicit parameterless constructor, none of which has source to document).
    /// </summary>
    internal static IEnumerable<ApiMember> PublicApi(Assembly assembly, XmlDocs docs)
    {
        foreach (var type in VisibleTypes(assembly))
        {
            yield return new ApiMember(DocId(type), type);
            if (type.IsSubclassOf(typeof(Delegate)))
                continue;
            var members = type.GetMembers(Declared);
            var accessors = members.OfType<PropertyInfo>().SelectMany(p => p.GetAccessors(nonPublic: true))
                .Concat(members.OfType<EventInfo>().SelectMany(e => new[] { e.AddMethod, e.RemoveMethod, e.RaiseMethod }))
                .OfType<MethodInfo>().ToHashSet();
            var constructors = members.OfType<ConstructorInfo>().Where(c => !c.IsStatic && !Generated(c)).ToList();
            foreach (var member in members)
            {
                if (member is Type || !Visible(member) || Generated(member) || member.Name.StartsWith('<'))
                    continue;
                if (member is MethodInfo method && accessors.Contains(method))
                    continue;
                if (member is FieldInfo { IsSpecialName: true })
                    continue;
                string id = DocId(member);
                // The compiler's parameterless constructor of a class that declares none: not in the source, not on the site.
                if (member is ConstructorInfo { IsStatic: false } c && c.GetParameters().Length == 0 && constructors.Count == 1 && !docs.Has(id))
                    continue;
                yield return new ApiMember(id, member);
            }
        }
    }

    private static List<Type> VisibleTypes(Assembly assembly)
    {
        var visible = new List<Type>();
        void Add(Type type)
        {
            visible.Add(type);
            foreach (var nested in type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
                if ((nested.IsNestedPublic || nested.IsNestedFamily || nested.IsNestedFamORAssem) && !Generated(nested))
                    Add(nested);
        }
        foreach (var type in assembly.GetTypes().Where(t => t.IsPublic && !Generated(t)))
            Add(type);
        return visible;
    }

    private static bool Generated(MemberInfo member) => member.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    private static bool Visible(MemberInfo member) => member switch
    {
        MethodBase m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly,
        FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
        PropertyInfo p => p.GetAccessors(nonPublic: true).Any(a => Visible(a)),
        EventInfo e => e.AddMethod is { } add && Visible(add),
        _ => false,
    };

    /// <summary>The ID the C# compiler gives a member in the XML doc file (ECMA-334 annex D: "M:Ns.Type.Name(Ns.Param,…)").</summary>
    internal static string DocId(MemberInfo member) => member switch
    {
        Type t => "T:" + TypeName(t),
        ConstructorInfo c => $"M:{TypeName(c.DeclaringType!)}.{(c.IsStatic ? "#cctor" : "#ctor")}{Parameters(c.GetParameters())}",
        MethodInfo m => $"M:{TypeName(m.DeclaringType!)}.{m.Name}{(m.IsGenericMethodDefinition ? "``" + m.GetGenericArguments().Length : "")}"
            + Parameters(m.GetParameters())
            + (m.Name is "op_Implicit" or "op_Explicit" ? "~" + ParameterType(m.ReturnType) : ""),
        PropertyInfo p => $"P:{TypeName(p.DeclaringType!)}.{p.Name}{Parameters(p.GetIndexParameters())}",
        FieldInfo f => $"F:{TypeName(f.DeclaringType!)}.{f.Name}",
        EventInfo e => $"E:{TypeName(e.DeclaringType!)}.{e.Name}",
        _ => throw new ArgumentException($"no doc ID for {member.MemberType} {member.Name}", nameof(member)),
    };

    private static string TypeName(Type type) => type.FullName!.Replace('+', '.');

    private static string Parameters(ParameterInfo[] parameters) =>
        parameters.Length == 0 ? "" : "(" + string.Join(",", parameters.Select(p => ParameterType(p.ParameterType))) + ")";

    private static string ParameterType(Type type)
    {
        if (type.IsByRef)
            return ParameterType(type.GetElementType()!) + "@";
        if (type.IsPointer)
            return ParameterType(type.GetElementType()!) + "*";
        if (type.IsArray)
            return ParameterType(type.GetElementType()!) +
                (type.IsSZArray ? "[]" : "[" + string.Join(",", Enumerable.Repeat("0:", type.GetArrayRank())) + "]");
        if (type.IsGenericParameter)
            return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition;
        if (type.IsGenericType)
        {
            string name = TypeName(type.GetGenericTypeDefinition());
            return name[..name.LastIndexOf('`')] + "{" + string.Join(",", type.GetGenericArguments().Select(ParameterType)) + "}";
        }
        return TypeName(type);
    }

    /// <summary>The members of XML doc files by ID, and whether one has a summary of its own or through <c>inheritdoc</c>.</summary>
    internal sealed class XmlDocs(IEnumerable<XDocument> files)
    {
        private readonly Dictionary<string, XElement> _members = files.SelectMany(f => f.Descendants("member"))
            .GroupBy(m => (string)m.Attribute("name")!).ToDictionary(g => g.Key, g => g.First());

        public static XmlDocs Load(IEnumerable<string> paths) => new(paths.Select(p => XDocument.Load(p)));

        public bool Has(string id) => _members.ContainsKey(id);

        public bool HasSummary(string id, MemberInfo? member, int depth = 0)
        {
            if (depth > 10 || !_members.TryGetValue(id, out var doc))
                return false;
            if (doc.Element("summary") is { } summary && (summary.Value.Trim().Length > 0 || summary.HasElements))
                return true;
            if (doc.Element("inheritdoc") is not { } inheritdoc)
                return false;
            if ((string?)inheritdoc.Attribute("cref") is { } cref)
                return HasSummary(cref, null, depth + 1);
            return member is not null && Inherited(member) is { } source && HasSummary(DocId(source), source, depth + 1);
        }

        /// <summary>The member an <c>&lt;inheritdoc/&gt;</c> without cref takes its comment from: the overridden or implemented one.</summary>
        private static MemberInfo? Inherited(MemberInfo member)
        {
            switch (member)
            {
                case MethodInfo method:
                    var overridden = method.GetBaseDefinition();
                    return overridden != method ? overridden : Implemented(method);
                case PropertyInfo property:
                    var accessor = property.GetMethod ?? property.SetMethod!;
                    var baseAccessor = accessor.GetBaseDefinition();
                    if (baseAccessor != accessor)
                        return baseAccessor.DeclaringType!.GetProperty(property.Name, Declared);
                    return Implemented(accessor) is { } implemented
                        ? implemented.DeclaringType!.GetProperties().FirstOrDefault(p => p.GetMethod == implemented || p.SetMethod == implemented)
                        : null;
                default:
                    return null;
            }
        }

        private static MethodInfo? Implemented(MethodInfo method)
        {
            foreach (var contract in method.DeclaringType!.GetInterfaces())
            {
                var map = method.DeclaringType.GetInterfaceMap(contract);
                int i = Array.IndexOf(map.TargetMethods, method);
                if (i >= 0)
                    return map.InterfaceMethods[i];
            }
            return null;
        }
    }
}
