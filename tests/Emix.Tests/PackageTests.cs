using System.Diagnostics;
using System.IO.Compression;
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

/// <summary>The packages: contents (README, licence, XML docs, symbols), and the tool installed from them running the demo.</summary>
public class PackageTests : IDisposable
{
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
        foreach (var id in new[] { "Emix", "Emix.Plots", "Emix.Parquet", "Emix.Mpi", "Emix.Cli" })
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

    private static (int Code, string Output) Run(string program, string folder, Dictionary<string, string> environment, params string[] args) =>
        ChildProcess.Run(program, folder, args, environment, TimeSpan.FromMinutes(5));
}
