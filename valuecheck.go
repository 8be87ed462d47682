package orm

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

// ErrValueOutOfRange is returned (wrapped, with the model, column and
// value) when a value cannot be stored in its column as it is: a decimal
// with more fraction digits than the column's scale or more integer digits
// than its precision allows, NaN or an infinity in a column that cannot
// hold it, an unsigned integer of 2^63 or more in a signed BIGINT column,
// a decimal string that SQLite's 64-bit floats would not keep digit for
// digit.
// The check runs before anything is sent: a value is either stored as
// written and read back equal, or refused.
var ErrValueOutOfRange = errors.New("value does not fit its column")

// Value checks of a field (field.check).
const (
	checkDecimal      uint8 = 1 << iota // digits against precision and scale
	checkSpecials                       // NaN and ±Inf refused
	checkUint63                         // unsigned values ≥ 2^63 refused
	checkFloatDecimal                   // decimal strings a float64 changes refused
)

// valueChecks returns the checks f's values need on a database with
// features.
func valueChecks(f *field, features dialects.Feature) uint8 {
	base := derefType(f.typ)
	if nullableGoType(base) {
		base = base.Field(0).Type
	}
	if base.Implements(typeValuer) || reflect.PointerTo(base).Implements(typeValuer) {
		return 0 // the type converts itself
	}
	var c uint8
	t := f.col.Type
	switch k := base.Kind(); {
	case t.Kind == schema.Decimal:
		if t.Precision > 0 {
			c = checkDecimal | checkSpecials
		}
		if k == reflect.String && !features.Has(dialects.ExactDecimals) {
			c |= checkFloatDecimal
		}
	case (t.Kind == schema.Float || t.Kind == schema.Double) && (k == reflect.Float64 || k == reflect.Float32) && !features.Has(dialects.FloatSpecials):
		c = checkSpecials
	case (k == reflect.Uint64 || k == reflect.Uint || k == reflect.Uintptr) && !features.Has(dialects.UnsignedIntegers):
		c = checkUint63
	}
	return c
}

// checkArg returns a (f's bind value) or an error when it does not fit
// f's column.
func (f *field) checkArg(a any) (any, error) {
	if err := f.checkValue(a); err != nil {
		return nil, fmt.Errorf("orm: %s: value %v: %w: %s", f.checkName, a, ErrValueOutOfRange, err)
	}
	return a, nil
}

func (f *field) checkValue(a any) error {
	var x float64
	isFloat := false
	switch v := a.(type) {
	case nil:
		return nil
	case float64:
		x, isFloat = v, true
	case float32:
		x, isFloat = float64(v), true
	}
	if isFloat && f.check&checkSpecials != 0 && (math.IsNaN(x) || math.IsInf(x, 0)) {
		return errors.New("the database cannot store NaN or an infinity here")
	}
	if f.check&checkUint63 != 0 {
		if u, ok := asUint(a); ok && u > math.MaxInt64 {
			return errors.New("more than 2^63-1, the largest value of a signed BIGINT (this database has no unsigned integers)")
		}
	}
	if f.check&(checkDecimal|checkFloatDecimal) == 0 {
		return nil
	}
	var s string
	switch v := a.(type) {
	case string:
		s = v
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case float32:
		s = strconv.FormatFloat(float64(v), 'f', -1, 32)
	default:
		rv := reflect.ValueOf(a)
		switch rv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			s = strconv.FormatInt(rv.Int(), 10)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			s = strconv.FormatUint(rv.Uint(), 10)
		default:
			return nil // a type of the user's: the database judges
		}
	}
	if f.check&checkDecimal != 0 {
		if err := decimalFits(s, f.col.Type.Precision, f.col.Type.Scale); err != nil {
			return err
		}
	}
	if _, isString := a.(string); isString && f.check&checkFloatDecimal != 0 {
		return floatDecimalFits(s, f.col.Type)
	}
	return nil
}

// floatDecimalFits checks that the decimal string s reads back as the
// same number from a decimal column of type t on a database that keeps
// decimals as 64-bit floats, or as integers when the text is one (SQLite).
func floatDecimalFits(s string, t schema.Type) error {
	num := strings.TrimSpace(s)
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return errors.New("not a decimal number")
	}
	digits := strings.TrimPrefix(strings.TrimPrefix(num, "-"), "+")
	if allDigits(digits) {
		if _, err := strconv.ParseInt(num, 10, 64); err == nil {
			return nil // stored as an INTEGER
		}
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return errors.New("not a decimal number a 64-bit float can hold")
	}
	if back := floatDecimalText(x, t); mustRat(back).Cmp(r) != 0 {
		return fmt.Errorf("this database keeps decimals as 64-bit floats (about 15 significant digits): it would read back as %s", back)
	}
	return nil
}

// floatDecimalText prints x, the float a decimal column of type t returned,
// as the decimal it stands for: the shortest digits that read back as x,
// padded with zeros to the column's scale, or rounded to it when x has more
// fraction digits.
func floatDecimalText(x float64, t schema.Type) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if t.Precision == 0 && t.Scale == 0 {
		return s // no scale declared
	}
	_, frac, _ := strings.Cut(s, ".")
	switch {
	case len(frac) > t.Scale:
		return strconv.FormatFloat(x, 'f', t.Scale, 64)
	case len(frac) < t.Scale:
		if frac == "" {
			s += "."
		}
		s += strings.Repeat("0", t.Scale-len(frac))
	}
	return s
}

func asUint(a any) (uint64, bool) {
	rv := reflect.ValueOf(a)
	switch rv.Kind() {
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		return rv.Uint(), true
	}
	return 0, false
}

// decimalFits checks that the decimal number s has at most scale fraction
// digits and precision-scale integer digits (leading and trailing zeros
// aside).
func decimalFits(s string, precision, scale int) error {
	num := strings.TrimSpace(s)
	num = strings.TrimPrefix(strings.TrimPrefix(num, "-"), "+")
	if strings.ContainsAny(num, "eE") {
		r, ok := new(big.Rat).SetString(num)
		if !ok {
			return errors.New("not a decimal number")
		}
		num = r.FloatString(scale + 1) // one digit more: rounding shows
		if r.Cmp(mustRat(num)) != 0 {
			return fmt.Errorf("more than %d fraction digits (the column's scale): the database would round it", scale)
		}
	}
	intPart, frac, _ := strings.Cut(num, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return errors.New("not a decimal number")
	}
	frac = strings.TrimRight(frac, "0")
	intPart = strings.TrimLeft(intPart, "0")
	if len(frac) > scale {
		return fmt.Errorf("more than %d fraction digits (the column's scale): the database would round it", scale)
	}
	if len(intPart) > precision-scale {
		return fmt.Errorf("more than %d integer digits (precision %d, scale %d)", precision-scale, precision, scale)
	}
	return nil
}

func mustRat(s string) *big.Rat {
	r, _ := new(big.Rat).SetString(s)
	return r
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
