import type { Host } from './host.js';
import type { Grains } from './types.js';

/** num_cpus, cpu_model, cpu_flags from /proc/cpuinfo (x86 `model name`/`flags`, ARM `Processor`/`Features`). */
export function cpuData(host: Host): Grains {
  const text = host.read('/proc/cpuinfo');
  let num = 0;
  let model: string | undefined;
  let flags: string[] | undefined;
  if (text !== undefined) {
    for (const line of text.split('\n')) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const key = line.slice(0, i).trim();
      const val = line.slice(i + 1).trim();
      if (key === 'processor') num += 1;
      else if (key === 'model name' || key === 'Processor' || key === 'cpu model') model ??= val;
      else if (key === 'flags' || key === 'Features') flags ??= val.split(/\s+/).filter(Boolean);
    }
  }
  return { num_cpus: num || host.cpuCount(), cpu_model: model ?? 'Unknown', cpu_flags: flags ?? [] };
}

/** mem_total and swap_total in MiB (floor of /proc/meminfo's kB / 1024). */
export function memData(host: Host): Grains {
  const out: Grains = { mem_total: 0, swap_total: 0 };
  const text = host.read('/proc/meminfo');
  if (text === undefined) return out;
  for (const line of text.split('\n')) {
    const m = /^(MemTotal|SwapTotal):\s*(\d+)/.exec(line);
    if (m?.[2]) out[m[1] === 'MemTotal' ? 'mem_total' : 'swap_total'] = Math.floor(Number(m[2]) / 1024);
  }
  return out;
}

const DMI_DIR = '/sys/class/dmi/id';
const DMI_FILES: Record<string, string> = {
  biosversion: 'bios_version',
  biosvendor: 'bios_vendor',
  boardname: 'board_name',
  productname: 'product_name',
  manufacturer: 'sys_vendor',
  biosreleasedate: 'bios_date',
  uuid: 'product_uuid',
  serialnumber: 'product_serial',
};

/** Firmware facts from sysfs; a file that is missing or root-only gives no grain, as in Salt. */
export function dmiData(host: Host): Grains {
  const out: Grains = {};
  if (!host.exists(DMI_DIR)) return out;
  for (const [grain, file] of Object.entries(DMI_FILES)) {
    const v = host.read(`${DMI_DIR}/${file}`);
    if (v === undefined) continue;
    out[grain] = grain === 'uuid' ? v.trim().toLowerCase() : v.trim();
  }
  return out;
}

/** DMI product names that say which hypervisor this is. */
const PRODUCT_VIRT: [RegExp, string][] = [
  [/VirtualBox/i, 'VirtualBox'],
  [/VMware/i, 'VMware'],
  [/KVM|QEMU|Standard PC/i, 'kvm'],
  [/Virtual Machine/i, 'VirtualPC'],
  [/HVM domU/i, 'xen'],
];

/** Salt's reading of systemd-detect-virt (it leaves `docker` and `podman` to the cgroup check). */
function detectVirt(out: string): Grains | undefined {
  if (['qemu', 'kvm', 'oracle', 'xen', 'bochs', 'chroot', 'uml', 'systemd-nspawn'].includes(out))
    return { virtual: out };
  if (out.includes('vmware')) return { virtual: 'VMware' };
  if (out.includes('microsoft')) return { virtual: 'VirtualPC' };
  if (out.includes('lxc')) return { virtual: 'container', virtual_subtype: 'LXC' };
  if (out.includes('amazon')) return { virtual: 'Nitro', virtual_subtype: 'Amazon EC2' };
  return undefined;
}

/**
 * Salt's `virtual` (and `virtual_subtype`), the common cases: what
 * systemd-detect-virt says, else the DMI product name; then PID 1's
 * cgroups and environment for containers; 'physical' when nothing says otherwise.
 */
export function virtualData(host: Host): Grains {
  let out: Grains = { virtual: 'physical' };
  const r = host.which('systemd-detect-virt') ? host.run('systemd-detect-virt', []) : undefined;
  const found = r ? detectVirt(r.stdout.trim()) : undefined;
  if (found) out = found;
  else {
    const product = host.read(`${DMI_DIR}/product_name`)?.trim() ?? '';
    for (const [re, v] of PRODUCT_VIRT) if (re.test(product)) out = { virtual: v };
  }
  const cgroup = host.read('/proc/1/cgroup') ?? '';
  if (cgroup.includes(':/lxc/')) out = { virtual: 'container', virtual_subtype: 'LXC' };
  else if (cgroup.includes(':/kubepods/')) out['virtual_subtype'] = 'kubernetes';
  else if (cgroup.includes(':/libpod_parent/')) out['virtual_subtype'] = 'libpod';
  else if ([':/system.slice/docker', ':/docker/', ':/docker-ce/'].some((x) => cgroup.includes(x)))
    out = { virtual: 'container', virtual_subtype: 'Docker' };
  if (out['virtual_subtype'] !== 'LXC' && (host.read('/proc/1/environ') ?? '').includes('container=lxc'))
    out = { virtual: 'container', virtual_subtype: 'LXC' };
  return out;
}

/** disks and ssds: the block devices that are not virtual, by /sys/block/<dev>/queue/rotational (1: disk, 0: ssd). */
export function diskData(host: Host): Grains {
  const disks: string[] = [];
  const ssds: string[] = [];
  for (const dev of host.list('/sys/block')) {
    if (host.readlink(`/sys/block/${dev}`)?.startsWith('../devices/virtual/')) continue;
    const flag = host.read(`/sys/block/${dev}/queue/rotational`)?.charAt(0);
    if (flag === '0') ssds.push(dev);
    else if (flag === '1') disks.push(dev);
  }
  return { disks, ssds };
}

/** efi (an efivars folder exists) and efi-secure-boot (the SecureBoot variable's last byte is 1). */
export function uefiData(host: Host): Grains {
  const dir = ['/sys/firmware/efi/efivars', '/sys/firmware/efi/vars'].find((d) => host.exists(d));
  if (!dir) return { efi: false, 'efi-secure-boot': false };
  const vars = host.list(dir).filter((n) => n.startsWith('SecureBoot-'));
  let secure = false;
  if (vars.length === 1) {
    const raw = host.readBytes(dir.endsWith('efivars') ? `${dir}/${vars[0]}` : `${dir}/${vars[0]}/data`);
    secure = raw !== undefined && raw.length > 0 && raw[raw.length - 1] === 1;
  }
  return { efi: true, 'efi-secure-boot': secure };
}
