// What the boot images (and the packed app) cost in the two packages, measured with the tools
// that make them: a .deb (dpkg-deb, xz: electron-builder's default for deb) and an AppImage
// (its payload is a squashfs image; mksquashfs with zstd and with xz). Prints a Markdown table.
//
//   node scripts/package-size.mjs      (after `npm run dist`; needs dpkg-deb, mksquashfs, qemu-img)
//
// A boot image is a 64 MiB disk holding a few dozen KiB of data; a package carries it as
// compressed qcow2, and the raw row shows what it would cost as the build writes it (sparse). The
// columns say what a download costs and what the installed files take on disk.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './lib.mjs';

/** The built images npm run dist carries (images/NAME.img beside each definition). */
const bootImages = join(root, 'dist', 'packaging', 'images');
const resources = join(root, 'dist', 'packages', 'linux-unpacked', 'resources');
for (const needed of [bootImages, join(resources, 'app.asar')])
  if (!existsSync(needed)) {
    console.error(`package-size: ${needed} is missing; run npm run dist first`);
    process.exit(1);
  }

function run(cmd, args) {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')}: ${result.error?.message ?? result.stderr.trim()}`);
  return result.stdout;
}

/** Bytes on disk under `path` (holes not counted), and the files' apparent size. */
function diskUsage(path) {
  const [used, apparent] = [
    ['-s', '-B1'],
    ['-s', '-B1', '--apparent-size'],
  ].map((flags) => Number(run('du', [...flags, path]).split('\t')[0]));
  return { used, apparent };
}

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 1)} MiB`;

/** The sizes of `tree` as a .deb and as squashfs images, and of its files once installed. */
function measure(tree, scratch) {
  const debRoot = join(scratch, 'deb');
  mkdirSync(join(debRoot, 'DEBIAN'), { recursive: true });
  writeFileSync(
    join(debRoot, 'DEBIAN', 'control'),
    'Package: phantom-size-probe\nVersion: 0\nArchitecture: all\nMaintainer: probe <probe@invalid>\nDescription: size probe\n',
  );
  cpSync(tree, join(debRoot, 'opt', 'probe'), { recursive: true });
  run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', debRoot, join(scratch, 'probe.deb')]);
  // What an installation writes: dpkg's unpacker, like `dpkg-deb -x`, writes every byte.
  run('dpkg-deb', ['-x', join(scratch, 'probe.deb'), join(scratch, 'installed')]);
  const squashfs = (comp) => {
    const image = join(scratch, `probe-${comp}.squashfs`);
    run('mksquashfs', [tree, image, '-comp', comp, '-noappend', '-quiet', '-no-progress']);
    return statSync(image).size;
  };
  return {
    files: diskUsage(tree),
    deb: statSync(join(scratch, 'probe.deb')).size,
    installedDeb: diskUsage(join(scratch, 'installed')).used,
    squashfsZstd: squashfs('zstd'),
    squashfsXz: squashfs('xz'),
  };
}

const scratch = mkdtempSync(join(tmpdir(), 'phantom-size-'));
try {
  const images = readdirSync(bootImages).filter((name) => name.endsWith('.img'));
  const trees = {
    [`${images.length} boot images, compressed qcow2 (as shipped)`]: (dir) => {
      for (const image of images) cpSync(join(bootImages, image), join(dir, image));
    },
    [`${images.length} boot images, raw (sparse)`]: (dir) => {
      for (const image of images)
        run('qemu-img', [
          'convert',
          '-q',
          '-f',
          'qcow2',
          '-O',
          'raw',
          join(bootImages, image),
          join(dir, image),
        ]);
    },
    'the packed app (app.asar + app.asar.unpacked)': (dir) => {
      cpSync(join(resources, 'app.asar'), join(dir, 'app.asar'));
      cpSync(join(resources, 'app.asar.unpacked'), join(dir, 'app.asar.unpacked'), { recursive: true });
    },
  };
  console.log(
    '| what | files (apparent / on disk) | .deb (xz) | installed from .deb | AppImage squashfs zstd | squashfs xz |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, fill] of Object.entries(trees)) {
    const tree = join(scratch, 'tree');
    mkdirSync(tree);
    fill(tree);
    const size = measure(tree, join(scratch, 'measure'));
    console.log(
      `| ${name} | ${mib(size.files.apparent)} / ${mib(size.files.used)} | ${mib(size.deb)} | ${mib(size.installedDeb)} | ${mib(size.squashfsZstd)} | ${mib(size.squashfsXz)} |`,
    );
    rmSync(tree, { recursive: true });
    rmSync(join(scratch, 'measure'), { recursive: true });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
