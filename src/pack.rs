//! The first commit of a new repository as one git pack, built in memory: a
//! pure function from a `FileTree`, an identity and a message to the bytes
//! of `pack-<id>.pack` and its `.idx` (git's pack format version 2).
//!
//! Why not libgit2: writing each object loose costs a file (and often a
//! folder) per object, and libgit2's pack builder searches for deltas and
//! then re-reads the whole pack to index it. A first commit has nothing to
//! delta against, so building the pack directly is a fraction of the cost.
//! libgit2 then reads this pack back (index, refs), which also checks it.

use std::collections::BTreeMap;

use sha1::{Digest, Sha1};

use crate::tree::FileTree;

/// A git object id (SHA-1).
pub type ObjectId = [u8; 20];

/// A git object's type, with its number in pack entry headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Commit = 1,
    Tree = 2,
    Blob = 3,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Commit => "commit",
            Kind::Tree => "tree",
            Kind::Blob => "blob",
        }
    }
}

/// Who made the commit and when: the author and committer of the pristine
/// commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch.
    pub time: i64,
    /// The local time zone's offset from UTC, in minutes.
    pub offset_minutes: i32,
}

/// A built pack: the commit it holds, its trees, and the two files.
#[derive(Debug, Clone)]
pub struct Pack {
    pub commit: ObjectId,
    pub root_tree: ObjectId,
    /// `pack-<checksum>`: the name both files share.
    pub name: String,
    pub pack: Vec<u8>,
    pub index: Vec<u8>,
}

/// The blobs and trees of `tree`: the costly part of a pack (hashing and
/// copying every file), which needs no identity, so it can be made
/// before the repository (and so the committer) is known.
pub fn tree_objects(tree: &FileTree) -> TreeObjects {
    let mut objects = Objects::default();
    let root_tree = objects.add_tree(tree);
    TreeObjects { objects, root_tree }
}

/// The objects of a tree, waiting for the commit that completes the pack.
pub struct TreeObjects {
    objects: Objects,
    root_tree: ObjectId,
}

impl TreeObjects {
    /// Adds the root commit of the tree and lays out the pack.
    pub fn with_commit(mut self, identity: &Identity, message: &str) -> Pack {
        let commit = self.objects.add(
            Kind::Commit,
            &commit_body(&self.root_tree, identity, message),
        );
        let (pack, index, checksum) = self.objects.into_pack();
        Pack {
            commit,
            root_tree: self.root_tree,
            name: format!("pack-{}", hex(&checksum)),
            pack,
            index,
        }
    }
}

/// Lowercase hexadecimal, as git names objects and packs.
pub fn hex(id: &[u8]) -> String {
    id.iter()
        .fold(String::with_capacity(id.len() * 2), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn commit_body(tree: &ObjectId, who: &Identity, message: &str) -> Vec<u8> {
    let sign = if who.offset_minutes < 0 { '-' } else { '+' };
    let offset = who.offset_minutes.unsigned_abs();
    let person = format!(
        "{} <{}> {} {sign}{:02}{:02}",
        clean(&who.name),
        clean(&who.email),
        who.time,
        offset / 60,
        offset % 60
    );
    format!(
        "tree {}\nauthor {person}\ncommitter {person}\n\n{message}",
        hex(tree)
    )
    .into_bytes()
}

/// A name or email as git writes it: no angle brackets or newlines, trimmed.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '<' | '>' | '\n' | '\0'))
        .collect::<String>()
        .trim()
        .to_string()
}

/// One object stored in the pack: its id and its entry (header and
/// deflated body).
struct Entry {
    id: ObjectId,
    packed: Vec<u8>,
}

#[derive(Default)]
struct Objects {
    entries: Vec<Entry>,
    /// Ids already stored: identical files are stored once.
    seen: std::collections::HashSet<ObjectId>,
}

/// One folder of the tree being built: its files and subfolders by name.
#[derive(Default)]
struct Folder<'t> {
    files: BTreeMap<&'t str, (ObjectId, bool)>,
    folders: BTreeMap<&'t str, Folder<'t>>,
}

impl Objects {
    fn add(&mut self, kind: Kind, body: &[u8]) -> ObjectId {
        let mut hasher = Sha1::new();
        hasher.update(format!("{} {}\0", kind.name(), body.len()).as_bytes());
        hasher.update(body);
        let id: ObjectId = hasher.finalize().into();
        if self.seen.insert(id) {
            let mut packed = entry_header(kind, body.len());
            zlib_stored(body, &mut packed);
            self.entries.push(Entry { id, packed });
        }
        id
    }

    fn add_tree(&mut self, tree: &FileTree) -> ObjectId {
        let mut root = Folder::default();
        for (path, entry) in tree.iter() {
            let blob = self.add(Kind::Blob, &entry.bytes);
            let mut parts = path.split('/');
            let file = parts.next_back().unwrap_or_default();
            let folder = parts.fold(&mut root, |f, name| f.folders.entry(name).or_default());
            folder.files.insert(file, (blob, entry.executable));
        }
        self.add_folder(&root)
    }

    fn add_folder(&mut self, folder: &Folder<'_>) -> ObjectId {
        // Git orders tree entries by name, comparing a folder's name as if it
        // ended with `/`.
        let mut entries: Vec<(Vec<u8>, &'static str, ObjectId)> = Vec::new();
        for (name, sub) in &folder.folders {
            let id = self.add_folder(sub);
            entries.push((format!("{name}/").into_bytes(), "40000", id));
        }
        for (name, (id, executable)) in &folder.files {
            let mode = if *executable { "100755" } else { "100644" };
            entries.push((name.as_bytes().to_vec(), mode, *id));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut body = Vec::new();
        for (key, mode, id) in entries {
            let name = key.strip_suffix(b"/").unwrap_or(&key);
            body.extend_from_slice(mode.as_bytes());
            body.push(b' ');
            body.extend_from_slice(name);
            body.push(0);
            body.extend_from_slice(&id);
        }
        self.add(Kind::Tree, &body)
    }

    /// The pack file, its index file, and the pack's checksum.
    fn into_pack(self) -> (Vec<u8>, Vec<u8>, ObjectId) {
        let count = u32::try_from(self.entries.len()).expect("fewer than 2^32 objects");
        let mut pack = Vec::with_capacity(
            12 + self.entries.iter().map(|e| e.packed.len()).sum::<usize>() + 20,
        );
        pack.extend_from_slice(b"PACK");
        pack.extend_from_slice(&2u32.to_be_bytes());
        pack.extend_from_slice(&count.to_be_bytes());
        let mut located: Vec<(ObjectId, u32, u32)> = Vec::with_capacity(self.entries.len());
        for entry in &self.entries {
            let offset = u32::try_from(pack.len()).expect("a first commit is far below 2 GiB");
            located.push((entry.id, crc32fast::hash(&entry.packed), offset));
            pack.extend_from_slice(&entry.packed);
        }
        let checksum: ObjectId = Sha1::digest(&pack).into();
        pack.extend_from_slice(&checksum);

        located.sort_by_key(|(id, _, _)| *id);
        let mut index = Vec::with_capacity(8 + 1024 + located.len() * 28 + 40);
        index.extend_from_slice(b"\xfftOc");
        index.extend_from_slice(&2u32.to_be_bytes());
        let mut fanout = [0u32; 256];
        for (id, _, _) in &located {
            fanout[usize::from(id[0])] += 1;
        }
        let mut running = 0;
        for n in fanout {
            running += n;
            index.extend_from_slice(&running.to_be_bytes());
        }
        for (id, _, _) in &located {
            index.extend_from_slice(id);
        }
        for (_, crc, _) in &located {
            index.extend_from_slice(&crc.to_be_bytes());
        }
        for (_, _, offset) in &located {
            index.extend_from_slice(&offset.to_be_bytes());
        }
        index.extend_from_slice(&checksum);
        let index_checksum: ObjectId = Sha1::digest(&index).into();
        index.extend_from_slice(&index_checksum);
        (pack, index, checksum)
    }
}

/// Appends `data` to `out` as a zlib stream of stored (uncompressed) deflate
/// blocks, as git writes objects with `core.compression 0`. Deflating,
/// even at level 1, was most of the cost of the first commit: zlib resets a
/// 128 KiB hash table for every object, and a repository's files are
/// small. The objects take more room (the default template's: 83 → 143 KiB) until
/// `git repack -adF` recompresses them (`git gc` keeps them as they are).
fn zlib_stored(data: &[u8], out: &mut Vec<u8>) {
    /// The most a stored block holds: its length is 16 bits.
    const BLOCK: usize = u16::MAX as usize;
    out.reserve(2 + data.len() + 5 * (data.len() / BLOCK + 1) + 4);
    // CMF: deflate, 32 KiB window; FLG: no dictionary, fastest level, and
    // a check value making the pair a multiple of 31.
    out.extend_from_slice(&[0x78, 0x01]);
    let mut blocks = data.chunks(BLOCK).peekable();
    if blocks.peek().is_none() {
        // An empty stream is one empty final block.
        out.extend_from_slice(&[0x01, 0x00, 0x00, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        // BFINAL on the last block, BTYPE 00 (stored), padded to the byte.
        out.push(u8::from(blocks.peek().is_none()));
        let len = u16::try_from(block.len()).expect("chunks of at most 65535 bytes");
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&zlib_rs::adler32::adler32(1, data).to_be_bytes());
}

/// A pack entry's header: the type and the size, 4 bits then 7 bits a byte.
fn entry_header(kind: Kind, size: usize) -> Vec<u8> {
    let mut header = Vec::with_capacity(10);
    let low_bits = |n: usize, mask: usize| u8::try_from(n & mask).expect("masked to fit a byte");
    let mut byte = ((kind as u8) << 4) | low_bits(size, 0x0f);
    let mut rest = size >> 4;
    while rest > 0 {
        header.push(byte | 0x80);
        byte = low_bits(rest, 0x7f);
        rest >>= 7;
    }
    header.push(byte);
    header
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::FileEntry;

    fn identity() -> Identity {
        Identity {
            name: "Ada <Lovelace>".into(),
            email: "ada@example.com".into(),
            time: 1_700_000_000,
            offset_minutes: -330,
        }
    }

    #[test]
    fn header_sizes_use_four_then_seven_bits() {
        assert_eq!(entry_header(Kind::Blob, 5), vec![0x35]);
        assert_eq!(entry_header(Kind::Tree, 16), vec![0xa0, 0x01]);
        assert_eq!(entry_header(Kind::Commit, 300), vec![0x9c, 0x12]);
    }

    #[test]
    fn a_blob_id_is_what_git_computes() {
        // `printf 'hello\n' | git hash-object --stdin`
        let mut objects = Objects::default();
        assert_eq!(
            hex(&objects.add(Kind::Blob, b"hello\n")),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        // The empty tree's well-known id.
        assert_eq!(
            hex(&objects.add(Kind::Tree, b"")),
            "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
        );
    }

    #[test]
    fn libgit2_reads_the_pack_back() {
        let mut tree = FileTree::default();
        tree.insert("README.md", FileEntry::new("# hi\n"));
        tree.insert("a-b/x.txt", FileEntry::new("same\n"));
        tree.insert("a/y.txt", FileEntry::new("same\n"));
        tree.insert("a.txt", FileEntry::new("file beside folder a\n"));
        let mut run = FileEntry::new("#!/bin/sh\n");
        run.executable = true;
        tree.insert("run.sh", run);
        // An empty file, and one that needs several stored blocks (65535
        // bytes each), one of them exactly full.
        tree.insert("empty", FileEntry::new(""));
        let large: String = (0..(2 * 65_535 + 7))
            .map(|i| char::from(b'a' + u8::try_from(i % 26).unwrap()))
            .collect();
        tree.insert("large.txt", FileEntry::new(large.clone()));
        tree.insert("full.txt", FileEntry::new("x".repeat(65_535)));
        let pack = tree_objects(&tree).with_commit(&identity(), "First\n\nBody\n");

        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let packs = dir.path().join(".git/objects/pack");
        std::fs::write(packs.join(format!("{}.pack", pack.name)), &pack.pack).unwrap();
        std::fs::write(packs.join(format!("{}.idx", pack.name)), &pack.index).unwrap();

        let commit = repo
            .find_commit(git2::Oid::from_bytes(&pack.commit).unwrap())
            .unwrap();
        assert_eq!(commit.message().unwrap(), "First\n\nBody\n");
        assert_eq!(commit.author().name().unwrap(), "Ada Lovelace");
        assert_eq!(commit.author().when().offset_minutes(), -330);
        assert_eq!(commit.tree_id().as_bytes(), &pack.root_tree);
        // Libgit2 writes the same tree for the same files: the ids agree.
        let expected = crate::repo::write_tree(&repo, &tree).unwrap();
        assert_eq!(commit.tree_id(), expected);
        let back = crate::repo::read_tree(&repo, &commit.tree().unwrap()).unwrap();
        assert!(back.same_content(&tree));
        assert!(back.get("run.sh").unwrap().executable);
        assert_eq!(back.get("large.txt").unwrap().bytes, large.as_bytes());
        assert!(back.get("empty").unwrap().bytes.is_empty());
    }

    #[test]
    fn stored_blocks_frame_the_data_as_zlib_does() {
        let mut out = Vec::new();
        zlib_stored(b"", &mut out);
        // Header, one empty final block, adler32 of nothing (1).
        assert_eq!(out, [0x78, 0x01, 0x01, 0, 0, 0xff, 0xff, 0, 0, 0, 1]);
        let mut out = Vec::new();
        zlib_stored(b"abc", &mut out);
        // adler32("abc") = 0x024d0127
        assert_eq!(
            out,
            [
                0x78, 0x01, 0x01, 3, 0, 0xfc, 0xff, b'a', b'b', b'c', 0x02, 0x4d, 0x01, 0x27
            ]
        );
        assert_eq!(u16::from_be_bytes([0x78, 0x01]) % 31, 0);
        let mut out = Vec::new();
        zlib_stored(&vec![7; 65_536], &mut out);
        // Two blocks: a full one that is not final, then one byte that is.
        assert_eq!(out[2..7], [0x00, 0xff, 0xff, 0x00, 0x00]);
        assert_eq!(out[7 + 65_535..7 + 65_535 + 5], [0x01, 1, 0, 0xfe, 0xff]);
        assert_eq!(out.len(), 2 + 5 + 65_535 + 5 + 1 + 4);
    }
}
