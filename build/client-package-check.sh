#!/usr/bin/env bash
# Proves the packed client stands alone: `dotnet pack src/Engramia.Client` into a local folder feed,
# a throw-away console program outside the repository that references only that package (from the
# feed; its dependencies from NuGet), and that program learning and recalling against a freshly
# started service (embedded SQLite, dev auth, a free loopback port). Prints each step; exits non-zero
# on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
work="$(mktemp -d)"
api_pid=""
cleanup() {
  if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "client-package: packing src/Engramia.Client"
dotnet pack src/Engramia.Client -c Release -o "$work/feed" -p:Version=0.0.0-check | tail -n 1
package="$(ls "$work/feed"/Engramia.Client.*.nupkg)"
echo "client-package: $(basename "$package")"

echo "client-package: starting the service"
dotnet build src/Engramia.Api -c Release -v q -nologo | tail -n 1
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
ENGRAMIA_DATA_PATH="$work/data" ENGRAMIA_AUTH_MODE=dev ENGRAMIA_ALLOW_NO_AUTH=true ENGRAMIA_ENVIRONMENT=local \
  dotnet src/Engramia.Api/bin/Release/net10.0/Engramia.Api.dll --urls "http://127.0.0.1:$port" > "$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 120); do
  if curl -fs "http://127.0.0.1:$port/v1/health" > /dev/null; then break; fi
  sleep 0.5
done
curl -fs "http://127.0.0.1:$port/v1/health" > /dev/null || { cat "$work/api.log"; echo "client-package: service did not start"; exit 1; }

echo "client-package: building a console program that references only the package"
mkdir -p "$work/app"
cat > "$work/app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
cat > "$work/app/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup><PackageReference Include="Engramia.Client" Version="0.0.0-check" /></ItemGroup>
</Project>
XML
cat > "$work/app/Program.cs" <<'CS'
using Engramia.Client;
using Microsoft.Extensions.DependencyInjection;

var services = new ServiceCollection();
services.AddEngramiaClient(o => o.BaseAddress = new Uri(args[0]));
var client = services.BuildServiceProvider().GetRequiredService<EngramiaClient>();
var learned = await client.LearnAsync(new LearnRequest { Task = "Parse a CSV file and compute column statistics", Code = "import csv", EvalScore = 8 });
var recall = await client.RecallAsync(new RecallRequest { Task = "compute statistics of a CSV file" });
Console.WriteLine($"stored={learned.Stored} matches={recall.Matches.Count} code={recall.Matches.FirstOrDefault()?.Pattern.Code}");
return learned.Stored && recall.Matches.Count == 1 && recall.Matches[0].Pattern.Code == "import csv" ? 0 : 1;
CS
# Outside the repository: no Directory.Build.props, no central package versions, no project reference.
(cd "$work/app" && dotnet run -c Release -- "http://127.0.0.1:$port") | tee "$work/out.txt"
grep -q "stored=True matches=1 code=import csv" "$work/out.txt"
echo "client-package: OK (the packed client learned and recalled against the running service)"
