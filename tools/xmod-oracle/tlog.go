package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// "tlog" answers one query per input line about a log built by the first
// line "tree SEED N" (record i = the first d[0]%33 bytes of
// d = SHA-256(le64(SEED) ‖ le64(i))). Queries:
//
//	index LEVEL N            -> StoredHashIndex
//	split INDEX              -> LEVEL N
//	count N                  -> StoredHashCount
//	treehash N               -> base64 root of the first N records
//	proverecord T N          -> ok HASH... | err MSG
//	checkrecord T N TH H P   -> ok | err MSG   (P = comma-separated hashes or -)
//	provetree T N            -> ok HASH... | err MSG
//	checktree T N TH H P     -> ok | err MSG
//	newtiles H OLD NEW       -> PATH...
//	tileforindex H INDEX     -> PATH
//	readtile B64PATH         -> LEN SHA256HEX | err
//	parsetile B64PATH        -> H L N W | err MSG
//	tilehash H N BAD IDX...  -> ok HASH... | err MSG (tiles of tree N at height H; BAD = base64 path of a tile whose first byte is flipped, or -)
//	parsetree B64            -> N HASH | err MSG  (any B64 field may be "-" for empty)
//	parserecord B64          -> ID B64TEXT B64REST | err MSG
//	formatrecord ID B64      -> B64 | err MSG
func init() {
	register("tlog", func(in *bufio.Reader, out *bufio.Writer) error {
		var hashes []tlog.Hash
		reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			var list []tlog.Hash
			for _, i := range idx {
				if i < 0 || i >= int64(len(hashes)) {
					return nil, fmt.Errorf("hash %d not stored", i)
				}
				list = append(list, hashes[i])
			}
			return list, nil
		})
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 0 {
				continue
			}
			i64 := func(k int) int64 {
				v, err := strconv.ParseInt(f[k], 10, 64)
				if err != nil {
					panic(err)
				}
				return v
			}
			b64 := func(k int) []byte {
				if f[k] == "-" {
					return nil
				}
				v, err := base64.StdEncoding.DecodeString(f[k])
				if err != nil {
					panic(err)
				}
				return v
			}
			hash := func(k int) tlog.Hash {
				h, err := tlog.ParseHash(f[k])
				if err != nil {
					panic(err)
				}
				return h
			}
			proof := func(k int) []tlog.Hash {
				var p []tlog.Hash
				if f[k] == "-" {
					return p
				}
				for _, s := range strings.Split(f[k], ",") {
					h, err := tlog.ParseHash(s)
					if err != nil {
						panic(err)
					}
					p = append(p, h)
				}
				return p
			}
			hashList := func(p []tlog.Hash, err error) string {
				if err != nil {
					return "err " + err.Error()
				}
				s := "ok"
				for _, h := range p {
					s += " " + h.String()
				}
				return s
			}
			okErr := func(err error) string {
				if err != nil {
					return "err " + err.Error()
				}
				return "ok"
			}
			var ans string
			switch f[0] {
			case "tree":
				seed, n := i64(1), i64(2)
				hashes = nil
				for i := int64(0); i < n; i++ {
					var buf [16]byte
					binary.LittleEndian.PutUint64(buf[:8], uint64(seed))
					binary.LittleEndian.PutUint64(buf[8:], uint64(i))
					d := sha256.Sum256(buf[:])
					rec := d[:d[0]%33]
					hs, err := tlog.StoredHashes(i, rec, reader)
					if err != nil {
						return err
					}
					hashes = append(hashes, hs...)
				}
				ans = fmt.Sprintf("ok %d", len(hashes))
			case "index":
				ans = fmt.Sprint(tlog.StoredHashIndex(int(i64(1)), i64(2)))
			case "split":
				l, n := tlog.SplitStoredHashIndex(i64(1))
				ans = fmt.Sprintf("%d %d", l, n)
			case "count":
				ans = fmt.Sprint(tlog.StoredHashCount(i64(1)))
			case "treehash":
				h, err := tlog.TreeHash(i64(1), reader)
				if err != nil {
					return err
				}
				ans = h.String()
			case "proverecord":
				ans = hashList(tlog.ProveRecord(i64(1), i64(2), reader))
			case "checkrecord":
				ans = okErr(tlog.CheckRecord(proof(5), i64(1), hash(3), i64(2), hash(4)))
			case "provetree":
				ans = hashList(tlog.ProveTree(i64(1), i64(2), reader))
			case "checktree":
				ans = okErr(tlog.CheckTree(proof(5), i64(1), hash(3), i64(2), hash(4)))
			case "newtiles":
				var paths []string
				for _, t := range tlog.NewTiles(int(i64(1)), i64(2), i64(3)) {
					paths = append(paths, t.Path())
				}
				ans = strings.Join(paths, " ")
			case "tileforindex":
				ans = tlog.TileForIndex(int(i64(1)), i64(2)).Path()
			case "readtile":
				t, err := tlog.ParseTilePath(string(b64(1)))
				if err != nil {
					return err
				}
				data, err := tlog.ReadTileData(t, reader)
				if err != nil {
					ans = "err"
				} else {
					ans = fmt.Sprintf("%d %x", len(data), sha256.Sum256(data))
				}
			case "parsetile":
				t, err := tlog.ParseTilePath(string(b64(1)))
				if err != nil {
					ans = "err " + err.Error()
				} else {
					ans = fmt.Sprintf("%d %d %d %d", t.H, t.L, t.N, t.W)
				}
			case "tilehash":
				h, n := int(i64(1)), i64(2)
				bad := ""
				if f[3] != "-" {
					bad = string(b64(3))
				}
				var idx []int64
				for k := 4; k < len(f); k++ {
					idx = append(idx, i64(k))
				}
				th, err := tlog.TreeHash(n, reader)
				if err != nil {
					return err
				}
				tr := &oracleTiles{h: h, r: reader, bad: bad}
				ans = hashList(tlog.TileHashReader(tlog.Tree{N: n, Hash: th}, tr).ReadHashes(idx))
			case "parsetree":
				t, err := tlog.ParseTree(b64(1))
				if err != nil {
					ans = "err " + err.Error()
				} else {
					ans = fmt.Sprintf("%d %s", t.N, t.Hash)
				}
			case "parserecord":
				id, text, rest, err := tlog.ParseRecord(b64(1))
				if err != nil {
					ans = "err " + err.Error()
				} else {
					ans = fmt.Sprintf("%d %s %s", id, base64.StdEncoding.EncodeToString(text), base64.StdEncoding.EncodeToString(rest))
				}
			case "formatrecord":
				msg, err := tlog.FormatRecord(i64(1), b64(2))
				if err != nil {
					ans = "err " + err.Error()
				} else {
					ans = base64.StdEncoding.EncodeToString(msg)
				}
			default:
				return fmt.Errorf("unknown tlog query %q", f[0])
			}
			out.WriteString(ans + "\n")
		}
		return sc.Err()
	})
}

// oracleTiles serves tiles computed from stored hashes, with one tile's
// first byte flipped.
type oracleTiles struct {
	h   int
	r   tlog.HashReader
	bad string
}

func (t *oracleTiles) Height() int { return t.h }

func (t *oracleTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	var out [][]byte
	for _, tile := range tiles {
		d, err := tlog.ReadTileData(tile, t.r)
		if err != nil {
			return nil, err
		}
		if tile.Path() == t.bad {
			d[0] ^= 1
		}
		out = append(out, d)
	}
	return out, nil
}

func (t *oracleTiles) SaveTiles([]tlog.Tile, [][]byte) {}
