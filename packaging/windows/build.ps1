<#
.SYNOPSIS
  Build Casebook for Windows: the PyInstaller folder, then the per-user MSI.

.DESCRIPTION
  Run from the repository root in PowerShell on a Windows 10/11 x64 build machine:

      powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1

  Needs: Python 3.11 x64 (python.org installer, "py" launcher), and WiX Toolset 3.14
  (candle.exe and light.exe on PATH, or in WIX\bin). No internet is needed on the school's
  laptops; this machine needs PyPI once to install the build requirements.

  Optional code signing: set CASEBOOK_SIGN_THUMBPRINT to the SHA-1 thumbprint of a code-signing
  certificate in the current user's store (and CASEBOOK_TIMESTAMP_URL to your CA's RFC 3161
  time-stamp server). The two programs are signed before they go into the MSI, then the MSI.

  Steps:
    1. A clean virtual environment (.venv-build) with Casebook and its 'package' extra.
    2. PyInstaller with packaging\casebook.spec -> dist\casebook\ (casebook.exe, the windowed
       app, and casebook-admin.exe, the console tool, sharing one _internal\ folder).
    3. A smoke test: casebook-admin.exe version must print the schema and SQLCipher versions
       (proves the migrations and the encrypted database library were bundled).
    4. Signing of both .exe files (only if a certificate is configured).
    5. harvest.py lists every file of dist\casebook\ as a WiX component (files.wxs).
    6. candle + light build dist\Casebook-<version>-x64.msi from casebook.wxs and files.wxs.
       ICE validation runs as part of light; ICE91 (per-user files, expected for a per-user
       package) is only a warning, and ICE105 is skipped (see the light step).
    7. Signing of the MSI (only if a certificate is configured).
#>
[CmdletBinding()]
param(
    [string]$Python = "py -3.11"
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

function Invoke-Step([string]$What, [scriptblock]$Block) {
    Write-Host "==> $What" -ForegroundColor Cyan
    & $Block
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)" }
}

$Root = (Resolve-Path "$PSScriptRoot\..\..").Path
Set-Location $Root
$Version = (Select-String -Path pyproject.toml -Pattern '^version\s*=\s*"([^"]+)"').Matches[0].Groups[1].Value
Write-Host "Casebook $Version"

# 1. Build environment
Invoke-Step "Create .venv-build" { Invoke-Expression "$Python -m venv .venv-build" }
$Py = Join-Path $Root ".venv-build\Scripts\python.exe"
Invoke-Step "Install build requirements" { & $Py -m pip install -q --upgrade pip }
Invoke-Step "Install Casebook with the package extra" { & $Py -m pip install -q -e ".[package]" }

# 2. PyInstaller bundle
Invoke-Step "PyInstaller" {
    & $Py -m PyInstaller --noconfirm --clean --log-level WARN `
        --distpath dist --workpath build\pyinstaller packaging\casebook.spec
}
$Bundle = Join-Path $Root "dist\casebook"

# 3. Smoke test of the frozen console tool
Invoke-Step "Smoke test (casebook-admin version)" {
    $out = & "$Bundle\casebook-admin.exe" version
    Write-Host $out
    if (-not ($out -match "schema") -or -not ($out -match "SQLCipher")) { throw "unexpected output" }
}

# 4. and 7. Optional signing
$Thumbprint = $env:CASEBOOK_SIGN_THUMBPRINT
$Timestamp = if ($env:CASEBOOK_TIMESTAMP_URL) { $env:CASEBOOK_TIMESTAMP_URL } else { "" }
function Sign-File([string]$Path) {
    if (-not $Thumbprint) { return }
    $signArgs = @("sign", "/sha1", $Thumbprint, "/fd", "SHA256", "/d", "Casebook")
    if ($Timestamp) { $signArgs += @("/tr", $Timestamp, "/td", "SHA256") }
    Invoke-Step "Sign $(Split-Path $Path -Leaf)" { & signtool.exe @signArgs $Path }
}
Sign-File "$Bundle\casebook.exe"
Sign-File "$Bundle\casebook-admin.exe"

# 5. File list for WiX
$Obj = Join-Path $Root "build\wix"
New-Item -ItemType Directory -Force -Path $Obj | Out-Null
Invoke-Step "Harvest the bundle" { & $Py packaging\windows\harvest.py $Bundle "$Obj\files.wxs" }

# 6. MSI
$Candle = (Get-Command candle.exe -ErrorAction SilentlyContinue).Source
if (-not $Candle -and $env:WIX) { $Candle = Join-Path $env:WIX "bin\candle.exe" }
if (-not $Candle) { throw "WiX Toolset 3.14 not found: install it or put candle.exe on PATH" }
$Light = Join-Path (Split-Path $Candle) "light.exe"
$Msi = Join-Path $Root "dist\Casebook-$Version-x64.msi"
Invoke-Step "candle" {
    & $Candle -nologo -arch x64 "-dVersion=$Version" "-dSourceDir=$Bundle" `
        -out "$Obj\" packaging\windows\casebook.wxs "$Obj\files.wxs"
}
# ICE105 objects to ProgramFiles64Folder in a per-user package; with ALLUSERS=2 and
# MSIINSTALLPERUSER=1 Windows Installer resolves it to %LOCALAPPDATA%\Programs (the
# documented per-user "dual-purpose" pattern), so that check is skipped.
Invoke-Step "light" {
    & $Light -nologo -sice:ICE105 -out $Msi "$Obj\casebook.wixobj" "$Obj\files.wixobj"
}
Sign-File $Msi

$SizeMiB = [math]::Round(((Get-ChildItem $Bundle -Recurse | Measure-Object Length -Sum).Sum / 1MB), 1)
Write-Host "Done: $Msi (bundle $SizeMiB MiB)" -ForegroundColor Green
