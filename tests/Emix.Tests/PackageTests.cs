using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Emix.Tests.Plots;

namespace Emix.Tests;

/// <summary>
/// A test that runs only where <c>EMIX_PACKAGES</c> names a folder of packages made by <c>dotnet pack</c>
/// (.ci/run makes one); elsewhere it is skipped, so a plain <c>dotnet test</c> stays quick.
/// </summary>
public sealed class PackagesFactAttribute : FactAttribute
{
    public PackagesFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("EMIX_PACKAGES")))
            Skip = "set EMIX_PACKAGES to a folder made by 'dotnet pack -o' (.ci/run does)";
    }
}

/// <summary>
/// The packages: contents (README, licence, XML docs, symbols), metadata (repository and commit, tags) and
/// SourceLink in the symbols; the tool installed from them running the demo; and the README's library
/// example run in a new console project that references them, printing what the README shows.
/// </summary>
public partial class PackageTests : IDisposable
{
    private static readonly string[] PackageIds = ["Emix", "Emix.Plots", "Emix.Parquet", "Emix.Mpi", "Emix.ML", "Emix.Cli"];

    /// <summary>Directory.Build.props's RepositoryUrl: the packages and their source links name it whatever git's remote is.</summary>
    private const string RepositoryUrl = "https://github.com/emix-project/emix";

    /// <summary>The kind of a portable PDB's custom debug information that holds the SourceLink JSON.</summary>
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    /// <summary>The kind that holds a source file embedded in the PDB (EmbedUntrackedSources).</summary>
    private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    private readonly string _folder = Directory.CreateTempSubdirectory("emix-pack-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static string Packages => Environment.GetEnvironmentVariable("EMIX_PACKAGES")!;

    private static string Version => typeof(GaussianMixture).Assembly.GetName().Version!.ToString(3);

    [PackagesFact]
    public void Library_and_tool_packages_carry_readme_licence_docs_and_symbols()
    {
        foreach (var id in PackageIds)
        {
            string package = Path.Combine(Packages, $"{id}.{Version}.nupkg");
            Assert.True(File.Exists(package), $"missing {package}");
            Assert.True(File.Exists(Path.ChangeExtension(package, ".snupkg")), $"missing symbols of {id}");
            using var zip = ZipFile.OpenRead(package);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("README.md", names);
            Assert.Contains("LICENSE", names);
            string nuspec = new StreamReader(zip.GetEntry($"{id}.nuspec")!.Open()).ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
            Assert.Contains("<readme>README.md</readme>", nuspec);
            if (id == "Emix.Cli")
            {
                Assert.Contains("tools/net10.0/any/Emix.Cli.dll", names);
                Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", names);
                Assert.Contains("tools/net10.0/any/Emix.Mpi.dll", names);
                Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/libSkiaSharp.so", names);
            }
            else
            {
                Assert.Contains($"lib/net10.0/{id}.dll", names);
                Assert.Contains($"lib/net10.0/{id}.xml", names);
            }
        }
    }

    [PackagesFact]
    public void The_tool_installs_from_the_local_folder_and_runs_the_demo()
    {
        string tools = Path.Combine(_folder, "tools"), work = Path.Combine(_folder, "work");
        Directory.CreateDirectory(work);
        // A private NuGet cache, so an older package of the same version cannot be picked up instead.
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_folder, "nuget") };
        var (code, output) = Run(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", _folder, environment,
            "tool", "install", "--tool-path", tools, "--add-source", Packages, "Emix.Cli", "--version", Version);
        Assert.True(code == 0, output);

        (code, output) = Run(Path.Combine(tools, "emix"), work, environment, "demo");
        Assert.True(code == 0, output);
        Assert.Contains("were assigned the component of the process that generated them", output);
        string picture = Path.Combine(work, "demo.png");
        Assert.Contains($"Picture of the data and the fitted density: {picture}", output);
        var png = File.ReadAllBytes(picture);
        Assert.Equal((800, 600), Png.Size(png));
        Assert.True(Png.Dark(png, new SkiaSharp.SKRectI(0, 0, 800, 36)) > 200, "the title is drawn");
    }

    [PackagesFact]
    public void Every_package_names_the_repository_and_commit_has_tags_and_source_link_in_its_symbols()
    {
        // Every package in the folder, so that a new one (Emix.ML) is held to the same rules without a change here.
        string suffix = $".{Version}.nupkg";
        var ids = Directory.GetFiles(Packages, "*" + suffix).Select(p => Path.GetFileName(p)[..^suffix.Length]).ToList();
        Assert.Subset(ids.ToHashSet(), PackageIds.ToHashSet());
        foreach (var id in ids)
        {
            string package = Path.Combine(Packages, $"{id}{suffix}");
            XElement metadata;
            using (var zip = ZipFile.OpenRead(package))
            using (var nuspec = zip.GetEntry($"{id}.nuspec")!.Open())
                metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            XElement Element(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)
                ?? throw new Xunit.Sdk.XunitException($"{id}.nuspec has no <{name}>");

            var repository = Element("repository");
            Assert.Equal("git", (string?)repository.Attribute("type"));
            Assert.Equal(RepositoryUrl, (string?)repository.Attribute("url"));
            string commit = (string?)repository.Attribute("commit") ?? "";
            Assert.Matches("^[0-9a-f]{40}$", commit);
            Assert.Equal(RepositoryUrl, Element("projectUrl").Value);
            var tags = Element("tags").Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("gaussian-mixture", tags);
            Assert.True(tags.Length >= 3, $"{id}: tags '{string.Join(' ', tags)}'");

            // The symbols: the PDB maps the repository's files to their raw URLs at that commit, and embeds
            // the files git does not track (the generated AssemblyInfo), which no URL could serve.
            string pdbPath = id == "Emix.Cli" ? "tools/net10.0/any/Emix.Cli.pdb" : $"lib/net10.0/{id}.pdb";
            using var symbols = ZipFile.OpenRead(Path.ChangeExtension(package, ".snupkg"));
            var entry = symbols.GetEntry(pdbPath) ?? throw new Xunit.Sdk.XunitException($"{id}.snupkg has no {pdbPath}");
            using var pdb = new MemoryStream();
            using (var stream = entry.Open())
                stream.CopyTo(pdb);
            pdb.Position = 0;
            using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
            var reader = provider.GetMetadataReader();
            string sourceLink = Encoding.UTF8.GetString(DebugInformation(reader, EntityHandle.ModuleDefinition, SourceLinkKind)
                ?? throw new Xunit.Sdk.XunitException($"{id}: the PDB has no SourceLink"));
            using var json = JsonDocument.Parse(sourceLink);
            var mapping = Assert.Single(json.RootElement.GetProperty("documents").EnumerateObject());
            Assert.Equal($"https://raw.githubusercontent.com/emix-project/emix/{commit}/*", mapping.Value.GetString());
            string mappedRoot = mapping.Name.TrimEnd('*');

            var documents = reader.Documents.Select(h => (Path: reader.GetString(reader.GetDocument(h).Name),
                Embedded: DebugInformation(reader, h, EmbeddedSourceKind) is not null)).ToList();
            Assert.Contains(documents, d => d.Path.EndsWith(".AssemblyInfo.cs", StringComparison.Ordinal) && d.Embedded);
            Assert.All(documents, d => Assert.True(d.Path.StartsWith(mappedRoot, StringComparison.Ordinal) || d.Embedded,
                $"{id}: {d.Path} is neither under {mappedRoot} nor embedded"));
        }
    }

    private static byte[]? DebugInformation(MetadataReader reader, EntityHandle owner, Guid kind)
    {
        foreach (var handle in reader.GetCustomDebugInformation(owner))
        {
            var information = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(information.Kind) == kind)
                return reader.GetBlobBytes(information.Value);
        }
        return null;
    }

    [Fact]
    public void The_readme_library_example_is_followed_by_its_output()
    {
        var (code, output) = ReadmeLibraryExample();
        Assert.Contains("new GaussianMixture(", code);
        Assert.StartsWith("Gaussian finite mixture model fitted by EM algorithm\n", output);
        Assert.Contains("\nRow 1: component ", output);
    }

    [PackagesFact]
    public void The_readme_library_example_runs_in_a_new_console_project_on_the_packages_and_prints_what_the_readme_shows()
    {
        var (code, expected) = ReadmeLibraryExample();
        string project = Path.Combine(_folder, "readme-example"), cache = Path.Combine(_folder, "nuget");
        Directory.CreateDirectory(project);
        var environment = new Dictionary<string, string>
        {
            // A private NuGet cache, so an older package of the same version cannot be picked up instead.
            ["NUGET_PACKAGES"] = cache,
            // The README shows the invariant culture's numbers (0.3012), as the repository's own builds print
            // them (InvariantGlobalization); a new console project would otherwise follow the machine's locale.
            ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        void Dotnet(params string[] args)
        {
            var (exit, output) = ChildProcess.Run(dotnet, project, args, environment, TimeSpan.FromMinutes(5));
            Assert.True(exit == 0, $"dotnet {string.Join(' ', args)}:\n{output}");
        }

        Dotnet("new", "console", "--no-restore");
        // The packed packages as one more source beside the machine's own (the user's NuGet.Config, not
        // cleared), from which the packages' dependencies (ScottPlot, SkiaSharp) restore as for any user.
        File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="emix-packages" value="{Packages}" />
              </packageSources>
            </configuration>
            """);
        Dotnet("add", "package", "Emix", "--version", Version);
        Dotnet("add", "package", "Emix.Plots", "--version", Version);
        File.WriteAllText(Path.Combine(project, "Program.cs"), code);
        string data = Path.Combine(project, "tests", "fixtures", "data", "iris.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(data)!);
        File.Copy(Fixtures.Path_(Path.Combine("data", "iris.csv")), data);

        var (exitCode, stdout, stderr) = ChildProcess.RunSeparately(dotnet, project, ["run"], environment, TimeSpan.FromMinutes(10));
        Assert.True(exitCode == 0, stdout + stderr);
        Assert.Equal(expected, stdout.ReplaceLineEndings("\n"));
        Assert.True(File.Exists(Path.Combine(project, "iris.json")));
        Assert.Equal((800, 600), Png.Size(File.ReadAllBytes(Path.Combine(project, "iris.png"))));
        // The packages it ran on are the packed ones: NuGet records where each came from.
        foreach (var id in new[] { "emix", "emix.plots" })
        {
            using var restored = JsonDocument.Parse(File.ReadAllText(Path.Combine(cache, id, Version, ".nupkg.metadata")));
            Assert.Equal(Path.GetFullPath(Packages).TrimEnd('/'), restored.RootElement.GetProperty("source").GetString()!.TrimEnd('/'));
        }
    }

    /// <summary>
    /// The first C# block of the README's library section and the output in the ```text block right after
    /// it, read from README.md so that the README and the test cannot drift apart.
    /// </summary>
    internal static (string Code, string Output) ReadmeLibraryExample()
    {
        string readme = File.ReadAllText(Path.Combine(SampleTests.RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        int section = readme.IndexOf("\n## The library\n", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '## The library' section");
        int next = readme.IndexOf("\n## ", section + 1, StringComparison.Ordinal);
        var code = FencedBlock().Match(readme, section);
        Assert.True(code.Success && code.Groups[1].Value == "csharp" && (next < 0 || code.Index < next),
            "the README's library section does not start its examples with a ```csharp block");
        var output = FencedBlock().Match(readme, code.Index + code.Length);
        Assert.True(output.Success && output.Groups[1].Value == "text" && (next < 0 || output.Index < next),
            "the README's library example is not followed by its output in a ```text block");
        return (code.Groups[2].Value, output.Groups[2].Value);
    }

    /// <summary>A fenced block: its language and its text (up to the closing fence, with the last newline).</summary>
    [GeneratedRegex(@"^```(\w*)\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    private static (int Code, string Output) Run(string program, string folder, Dictionary<string, string> environment, params string[] args) =>
        ChildProcess.Run(program, folder, args, environment, TimeSpan.FromMinutes(5));
}
