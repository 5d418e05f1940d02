/**
 * A small `terraform` script on PATH that plays Terraform's part in drift mode, for drift that
 * terraform_data cannot make (it never changes on refresh) and the aws and azurerm providers
 * cannot be downloaded here: it answers version, init, plan (exit code 2 for changes in the
 * refresh-only plan) and show -json with the plan JSON written beside it.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A normal plan with nothing to apply. */
export const NO_CHANGES = JSON.stringify({
  format_version: '1.2',
  terraform_version: '1.11.4',
  resource_changes: [],
});

/**
 * Writes the script into `root`/bin and the plans it shows into `root`; returns the environment
 * that puts it first on PATH.
 */
export function scriptedTerraform(
  root: string,
  refreshJson: string,
  normalJson = NO_CHANGES,
): Record<string, string> {
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(root, 'refresh.json'), refreshJson);
  writeFileSync(join(root, 'normal.json'), normalJson);
  const script = `#!/bin/sh
# Plays terraform for drift mode: the plan file only records which plan it is.
case "$1" in
  version) echo '{"terraform_version":"1.11.4"}' ;;
  init) echo 'Terraform has been successfully initialized!' ;;
  plan)
    kind=normal
    for arg in "$@"; do
      case "$arg" in
        -refresh-only) kind=refresh ;;
        -out=*) out="\${arg#-out=}" ;;
      esac
    done
    echo "$kind" > "$out"
    if [ "$kind" = refresh ]; then echo 'Objects have changed outside of Terraform'; exit 2; fi
    echo 'No changes.' ;;
  show) for arg in "$@"; do file="$arg"; done; cat "${root}/$(cat "$file").json" ;;
  *) echo "scripted terraform: unexpected $*" >&2; exit 1 ;;
esac
`;
  writeFileSync(join(bin, 'terraform'), script);
  chmodSync(join(bin, 'terraform'), 0o755);
  return { PATH: `${bin}:${process.env['PATH'] ?? ''}` };
}
