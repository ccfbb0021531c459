//! Merkle tree hashing of RFC 9162 §2.1: leaves hashed as `SHA-256(0x00 ‖ data)`, inner
//! nodes as `SHA-256(0x01 ‖ left ‖ right)`, a tree of `n` leaves split at the largest
//! power of two below `n`; inclusion and consistency proofs, and their verification.
//!
//! The proofs read subtree hashes through [`Nodes`], so the log can answer them from the
//! perfect subtrees it stores as leaves are appended (a few lookups per proof) and the
//! tests and the offline check from a list of leaf hashes.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The hash of a leaf holding `data`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(data);
    hasher.finalize().into()
}

/// The hash of an inner node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Where proofs read the hashes of perfect subtrees: the node at `level` covering leaves
/// `index · 2^level .. (index + 1) · 2^level` (level 0 is a leaf hash).
pub trait Nodes {
    /// Why a node could not be read.
    type Error;
    /// The hash of one perfect subtree, which must exist in the tree being proven.
    fn node(&mut self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

/// A tree held as its leaf hashes (tests, and the full recomputation of the check).
impl Nodes for &[Hash] {
    type Error = std::convert::Infallible;
    fn node(&mut self, level: u32, index: u64) -> Result<Hash, Self::Error> {
        let leaves: &[Hash] = self;
        Ok(subtree_of_leaves(leaves, index << level, 1u64 << level))
    }
}

fn subtree_of_leaves(leaves: &[Hash], start: u64, len: u64) -> Hash {
    let at = |i: u64| usize::try_from(i).ok().and_then(|i| leaves.get(i)).copied();
    if len == 1 {
        return at(start).unwrap_or_else(empty_root);
    }
    let k = split(len);
    node_hash(
        &subtree_of_leaves(leaves, start, k),
        &subtree_of_leaves(leaves, start + k, len - k),
    )
}

/// The largest power of two below `n` (`n` ≥ 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The root of all `leaves`, computed bottom-up in one pass (the check's recomputation).
pub fn root_of(leaves: &[Hash]) -> Hash {
    if leaves.is_empty() {
        return empty_root();
    }
    // Perfect subtrees completed so far, largest first, as a binary counter.
    let mut stack: Vec<(u32, Hash)> = Vec::new();
    for leaf in leaves {
        let mut node = (0u32, *leaf);
        while let Some(&(level, left)) = stack.last() {
            if level != node.0 {
                break;
            }
            stack.pop();
            node = (level + 1, node_hash(&left, &node.1));
        }
        stack.push(node);
    }
    // Fold the remaining subtrees from the smallest: RFC 9162 splits at the largest
    // power of two, so the right-hand parts nest.
    let mut iter = stack.into_iter().rev();
    let mut root = iter.next().map(|(_, hash)| hash).unwrap_or_else(empty_root);
    for (_, left) in iter {
        root = node_hash(&left, &root);
    }
    root
}

/// The hash of leaves `start .. start + len` of a tree, where `start` is a multiple of
/// the largest power of two not above `len` (as every subtree of RFC 9162's recursion).
fn subtree<N: Nodes>(nodes: &mut N, start: u64, len: u64) -> Result<Hash, N::Error> {
    if len.is_power_of_two() {
        let level = len.trailing_zeros();
        return nodes.node(level, start >> level);
    }
    let k = split(len);
    let left = subtree(nodes, start, k)?;
    let right = subtree(nodes, start + k, len - k)?;
    Ok(node_hash(&left, &right))
}

/// The root of the first `size` leaves.
pub fn root<N: Nodes>(nodes: &mut N, size: u64) -> Result<Hash, N::Error> {
    if size == 0 {
        return Ok(empty_root());
    }
    subtree(nodes, 0, size)
}

/// The audit path of leaf `index` in the tree of the first `size` leaves (RFC 9162
/// §2.1.3.1), leaf side first; `None` when `index` is not below `size`.
pub fn inclusion_proof<N: Nodes>(
    nodes: &mut N,
    index: u64,
    size: u64,
) -> Result<Option<Vec<Hash>>, N::Error> {
    if index >= size {
        return Ok(None);
    }
    let mut path = Vec::new();
    path_into(nodes, index, 0, size, &mut path)?;
    Ok(Some(path))
}

fn path_into<N: Nodes>(
    nodes: &mut N,
    index: u64,
    start: u64,
    len: u64,
    path: &mut Vec<Hash>,
) -> Result<(), N::Error> {
    if len <= 1 {
        return Ok(());
    }
    let k = split(len);
    if index < k {
        path_into(nodes, index, start, k, path)?;
        path.push(subtree(nodes, start + k, len - k)?);
    } else {
        path_into(nodes, index - k, start + k, len - k, path)?;
        path.push(subtree(nodes, start, k)?);
    }
    Ok(())
}

/// Checks an audit path (RFC 9162 §2.1.3.2): leaf `index` with hash `leaf` is in the
/// tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// The consistency proof between the tree of the first `old` leaves and that of the first
/// `new` (RFC 9162 §2.1.4.1); `None` unless `0 < old ≤ new`.
pub fn consistency_proof<N: Nodes>(
    nodes: &mut N,
    old: u64,
    new: u64,
) -> Result<Option<Vec<Hash>>, N::Error> {
    if old == 0 || old > new {
        return Ok(None);
    }
    let mut proof = Vec::new();
    subproof_into(nodes, old, 0, new, true, &mut proof)?;
    Ok(Some(proof))
}

fn subproof_into<N: Nodes>(
    nodes: &mut N,
    m: u64,
    start: u64,
    len: u64,
    complete: bool,
    proof: &mut Vec<Hash>,
) -> Result<(), N::Error> {
    if m == len {
        if !complete {
            proof.push(subtree(nodes, start, len)?);
        }
        return Ok(());
    }
    let k = split(len);
    if m <= k {
        subproof_into(nodes, m, start, k, complete, proof)?;
        proof.push(subtree(nodes, start + k, len - k)?);
    } else {
        subproof_into(nodes, m - k, start + k, len - k, false, proof)?;
        proof.push(subtree(nodes, start, k)?);
    }
    Ok(())
}

/// Checks a consistency proof (RFC 9162 §2.1.4.2): the tree of `old` leaves with root
/// `old_root` is a prefix of the tree of `new` leaves with root `new_root`.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old == 0 || old > new {
        return false;
    }
    if old == new {
        return proof.is_empty() && old_root == new_root;
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    fr == *old_root && sr == *new_root && s == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("leaf {i}").as_bytes()))
            .collect()
    }

    /// MTH written straight from the RFC's recursive definition.
    fn mth(d: &[Hash]) -> Hash {
        match d.len() {
            0 => empty_root(),
            1 => d[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&mth(&d[..k]), &mth(&d[k..]))
            }
        }
    }

    #[test]
    fn hashes_are_domain_separated() {
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // A leaf is SHA-256 of 0x00 followed by its data: the empty leaf is SHA-256(00).
        assert_eq!(
            hex::encode(leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
        let a = leaf_hash(b"a");
        assert_ne!(node_hash(&a, &a), leaf_hash(&[a, a].concat()));
    }

    #[test]
    fn roots_agree_with_the_recursive_definition() {
        for n in 0..70 {
            let d = leaves(n);
            let expected = mth(&d);
            assert_eq!(root_of(&d), expected, "bottom-up, n = {n}");
            let mut nodes: &[Hash] = &d;
            assert_eq!(
                root(&mut nodes, n as u64).unwrap(),
                expected,
                "by nodes, n = {n}"
            );
        }
    }

    #[test]
    fn every_leaf_has_a_verifying_audit_path_and_a_wrong_one_fails() {
        for n in 1..40u64 {
            let d = leaves(n as usize);
            let r = root_of(&d);
            let mut nodes: &[Hash] = &d;
            for i in 0..n {
                let proof = inclusion_proof(&mut nodes, i, n).unwrap().unwrap();
                let leaf = d[i as usize];
                assert!(verify_inclusion(i, n, &leaf, &proof, &r), "{i} in {n}");
                assert!(!verify_inclusion(i, n, &leaf_hash(b"x"), &proof, &r));
                if n > 1 {
                    assert!(!verify_inclusion((i + 1) % n, n, &leaf, &proof, &r));
                    let mut bad = proof.clone();
                    bad[0][0] ^= 1;
                    assert!(!verify_inclusion(i, n, &leaf, &bad, &r));
                    assert!(!verify_inclusion(i, n, &leaf, &proof[1..], &r));
                }
            }
            assert!(inclusion_proof(&mut nodes, n, n).unwrap().is_none());
        }
    }

    #[test]
    fn every_prefix_is_consistent_and_a_changed_history_is_not() {
        for new in 1..36u64 {
            let d = leaves(new as usize);
            let new_root = root_of(&d);
            let mut nodes: &[Hash] = &d;
            for old in 1..=new {
                let old_root = root_of(&d[..old as usize]);
                let proof = consistency_proof(&mut nodes, old, new).unwrap().unwrap();
                assert!(
                    verify_consistency(old, new, &old_root, &new_root, &proof),
                    "{old} → {new}"
                );
                // An old tree whose leaf 0 differs is not a prefix.
                let mut other = d[..old as usize].to_vec();
                other[0] = leaf_hash(b"rewritten");
                let other_root = root_of(&other);
                assert!(!verify_consistency(
                    old,
                    new,
                    &other_root,
                    &new_root,
                    &proof
                ));
                if !proof.is_empty() {
                    let mut bad = proof.clone();
                    let last = bad.len() - 1;
                    bad[last][31] ^= 1;
                    assert!(!verify_consistency(old, new, &old_root, &new_root, &bad));
                }
            }
        }
    }
}
