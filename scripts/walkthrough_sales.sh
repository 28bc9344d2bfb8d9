#!/usr/bin/env bash
# Sales and shipping walkthrough against a running server (demo data seeded).
set -euo pipefail
API=${API:-http://127.0.0.1:8022/api/v1}
token() {
  curl -s -X POST "$API/auth/token/" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$1-demo-pass-1\"}" | jq -r .access
}
SALES=$(token sales); STORE=$(token warehouse); BUYER=$(token purchasing)
call() {  # call TOKEN METHOD PATH [JSON] [curl args...]: the status, then the body (filtered by $JQ)
  local auth=$1 method=$2 path=$3 body=${4:-} out; shift 4 || shift $#
  out=$(curl -s -w '\n%{http_code} %{content_type}' -X "$method" "$API$path" \
    -H "Authorization: Bearer $auth" -H 'Content-Type: application/json' ${body:+-d "$body"} "$@")
  echo "HTTP ${out##*$'\n'}"; echo "${out%$'\n'*}" | jq -c "${JQ:-.}"
}
id_of() { curl -s "$API/$1/?search=$2" -H "Authorization: Bearer $SALES" | jq -r '.results[0].id'; }
CUSTOMER=$(id_of customers CUS-GREENLEAF)   # credit limit 3000.00
MAIN=$(curl -s "$API/warehouses/" -H "Authorization: Bearer $SALES" | jq -r '.results[] | select(.code=="MAIN") | .id')
PLIERS=$(id_of products HT-PLR-8); DRILL=$(id_of products PT-DRL-18V)
GOGGLES=$(id_of products PPE-GOG-CLR); IMPACT=$(id_of products PT-IMP-18V)
level() { curl -s "$API/stock-levels/?product=$1&warehouse=$MAIN" -H "Authorization: Bearer $SALES" \
  | jq -c '.results[0] | {on_hand, reserved, available}'; }

echo "== 1. sales creates a draft: 10 pliers at 20 % tax, 2 drills with 10 % off"
ORDER_BODY="{\"customer\":$CUSTOMER,\"warehouse\":$MAIN,\"lines\":[
  {\"product\":$PLIERS,\"quantity\":\"10\",\"tax_rate\":\"20\"},
  {\"product\":$DRILL,\"quantity\":2,\"discount_percent\":\"10\"}]}"
JQ='{number,status,currency,shipping_address,subtotal,discount_total,tax_total,total,
     lines:[.lines[]|{id,product_sku,quantity,unit_price,line_subtotal,line_discount,line_tax,line_total}]}' \
  call "$SALES" POST /sales-orders/ "$ORDER_BODY"
ORDER=$(curl -s "$API/sales-orders/?customer=$CUSTOMER&status=draft&ordering=-id" -H "Authorization: Bearer $SALES" | jq -r '.results[0].id')
mapfile -t LINES < <(curl -s "$API/sales-orders/$ORDER/" -H "Authorization: Bearer $SALES" | jq -r '.lines[].id')

echo "== 2. bad input is problem+json with dotted paths; purchasing may not sell"
call "$SALES" POST /sales-orders/ "{\"customer\":$CUSTOMER,\"warehouse\":$MAIN,\"lines\":[{\"product\":$PLIERS,\"quantity\":\"-1\",\"discount_percent\":150}]}"
JQ='{status,code}' call "$BUYER" POST /sales-orders/ "$ORDER_BODY"

echo "== 3. an order short of goggles (1 on hand) is refused whole, naming the short line"
SHORT=$(curl -s -X POST "$API/sales-orders/" -H "Authorization: Bearer $SALES" -H 'Content-Type: application/json' \
  -d "{\"customer\":$CUSTOMER,\"warehouse\":$MAIN,\"lines\":[{\"product\":$PLIERS,\"quantity\":1},{\"product\":$GOGGLES,\"quantity\":5}]}" | jq -r .id)
echo "pliers before: $(level "$PLIERS")"
call "$SALES" POST "/sales-orders/$SHORT/confirm/" ""
echo "pliers after:  $(level "$PLIERS")"

echo "== 4. confirm with an Idempotency-Key, then retry it: replayed, reserved once"
JQ='{number,status,confirmed_at}' call "$SALES" POST "/sales-orders/$ORDER/confirm/" "" -H 'Idempotency-Key: confirm-walkthrough-1'
curl -s -o /dev/null -D - -X POST "$API/sales-orders/$ORDER/confirm/" -H "Authorization: Bearer $SALES" \
  -H 'Idempotency-Key: confirm-walkthrough-1' | grep -iE '^(HTTP|idempotent-replayed)'
echo "pliers: $(level "$PLIERS")  drills: $(level "$DRILL")"

echo "== 5. over the credit limit (3000.00): 20 impact drivers"
BIG=$(curl -s -X POST "$API/sales-orders/" -H "Authorization: Bearer $SALES" -H 'Content-Type: application/json' \
  -d "{\"customer\":$CUSTOMER,\"warehouse\":$MAIN,\"lines\":[{\"product\":$IMPACT,\"quantity\":20}]}" | jq -r .id)
call "$SALES" POST "/sales-orders/$BIG/confirm/" ""

echo "== 6. lines are fixed once confirmed; notes are not"
call "$SALES" PATCH "/sales-orders/$ORDER/" "{\"lines\":[{\"product\":$PLIERS,\"quantity\":1}]}"
JQ='{status,notes}' call "$SALES" PATCH "/sales-orders/$ORDER/" '{"notes":"Call before delivery"}'

echo "== 7. the warehouse ships 6 pliers; 5 more would exceed what is left (4)"
JQ='{number,status,lines,packages}' call "$STORE" POST /shipments/ "{\"sales_order\":$ORDER,\"carrier\":\"UPS\",\"service\":\"ground\",
  \"packages\":[{\"weight_kg\":\"3.2\",\"length_cm\":40,\"width_cm\":30,\"height_cm\":20}],
  \"lines\":[{\"sales_order_line\":${LINES[0]},\"quantity\":6}]}"
FIRST=$(curl -s "$API/shipments/?sales_order=$ORDER" -H "Authorization: Bearer $STORE" | jq -r '.results[0].id')
call "$STORE" POST /shipments/ "{\"sales_order\":$ORDER,\"lines\":[{\"sales_order_line\":${LINES[0]},\"quantity\":5}]}"
JQ='{number,status,shipped_at}' call "$STORE" POST "/shipments/$FIRST/ship/" ""
echo "order: $(curl -s "$API/sales-orders/$ORDER/" -H "Authorization: Bearer $SALES" | jq -c '{status,lines:[.lines[]|{quantity,quantity_shipped}]}')"
echo "pliers: $(level "$PLIERS")"
JQ='{status,description,location}' call "$STORE" POST "/shipments/$FIRST/tracking-events/" \
  '{"status":"in_transit","description":"Departed facility","occurred_at":"2026-03-02T08:15:00Z","location":"Louisville, KY"}'

echo "== 8. the rest ships; deliveries complete the order"
curl -s -X POST "$API/shipments/" -H "Authorization: Bearer $STORE" -H 'Content-Type: application/json' \
  -d "{\"sales_order\":$ORDER,\"lines\":[{\"sales_order_line\":${LINES[0]},\"quantity\":4},{\"sales_order_line\":${LINES[1]},\"quantity\":2}]}" > /dev/null
SECOND=$(curl -s "$API/shipments/?sales_order=$ORDER&status=pending" -H "Authorization: Bearer $STORE" | jq -r '.results[0].id')
JQ='{number,status}' call "$STORE" POST "/shipments/$SECOND/ship/" ""
echo "order: $(curl -s "$API/sales-orders/$ORDER/" -H "Authorization: Bearer $SALES" | jq -c '{status}')"
JQ='{number,status}' call "$STORE" POST "/shipments/$FIRST/deliver/" ""
echo "order: $(curl -s "$API/sales-orders/$ORDER/" -H "Authorization: Bearer $SALES" | jq -c '{status}')"
JQ='{number,status,delivered_at}' call "$STORE" POST "/shipments/$SECOND/deliver/" ""
echo "order: $(curl -s "$API/sales-orders/$ORDER/" -H "Authorization: Bearer $SALES" | jq -c '{status}')"
echo "pliers: $(level "$PLIERS")  drills: $(level "$DRILL")"

echo "== 9. too late to cancel; the short draft can still be cancelled"
call "$SALES" POST "/sales-orders/$ORDER/cancel/" ""
JQ='{number,status}' call "$SALES" POST "/sales-orders/$SHORT/cancel/" ""
